// Names a person types, as they reach the case: normalised, refused when they could display as
// another name, never colliding with the workspace's own folders; and the OS account recorded
// beside the typed examiner, inside each entry's hash.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { userInfo } from 'node:os';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkAuditChain } from '../../main/case/audit-chain.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { CaseLibrary, caseIdFromNumber } from '../../main/workstation/case-library.ts';
import { copyPhotos, makeTempDir, removeTempDir, runAcsr } from './case-fixtures.ts';

let root: string;
let photos: string[];
let count = 0;
before(async () => {
  root = await makeTempDir('names');
  photos = await copyPhotos(join(root, 'in'), ['flower.jpg']);
});
after(async () => {
  await removeTempDir(root);
});

async function newCase(examiner = 'alice'): Promise<CaseFolder> {
  const caseFolder = await CaseFolder.create(join(root, `case-${++count}`), { number: `N-${count}`, title: 'names', examiner });
  await caseFolder.importEvidence(photos, { examiner });
  return caseFolder;
}

describe('names, titles and tags', () => {
  it('are NFC-normalised: an accent typed as a combining mark is the same examiner and the same tag', async () => {
    const caseFolder = await newCase('Ren\u00e9e');
    try {
      caseFolder.db.addTag({ itemId: 1, tag: 'caf\u0065\u0301', examiner: 'Rene\u0301e' });
      const [tag] = caseFolder.db.tagsOf(1);
      assert.deepEqual([tag.examiner, tag.value], ['Ren\u00e9e', 'caf\u00e9']);
      assert.equal(caseFolder.db.stores.examiners.storedRows().length, 1);
      assert.equal([...caseFolder.db.auditRows()].at(-1)!.examiner, 'Ren\u00e9e');
    } finally {
      caseFolder.close();
    }
  });

  for (const [what, character, expected] of [
    ['a right-to-left override', '\u202e', /text-direction control \(U\+202E at character 4\)/],
    ['a first-strong isolate', '\u2068', /text-direction control \(U\+2068 at character 4\)/],
    ['a left-to-right mark', '\u200e', /text-direction control \(U\+200E at character 4\)/],
    ['an Arabic letter mark', '\u061c', /text-direction control \(U\+061C at character 4\)/],
    ['a zero-width space', '\u200b', /invisible or control character \(U\+200B at character 4\)/],
    ['a zero-width joiner', '\u200d', /invisible or control character \(U\+200D at character 4\)/],
    ['a word joiner', '\u2060', /invisible or control character \(U\+2060 at character 4\)/],
    ['a byte-order mark', '\ufeff', /invisible or control character \(U\+FEFF at character 4\)/],
    ['a soft hyphen', '\u00ad', /invisible or control character \(U\+00AD at character 4\)/],
  ] as const) {
    it(`refuse ${what} in examiner names, tags, case numbers and titles`, async () => {
      const caseFolder = await newCase();
      try {
        const name = `bob${character}x`;
        assert.throws(() => caseFolder.db.addTag({ itemId: 1, tag: 'ok', examiner: name }), new RegExp(`the examiner name contains an? ${expected.source}`));
        assert.throws(() => caseFolder.db.addTag({ itemId: 1, tag: name, examiner: 'bob' }), new RegExp(`the tag contains an? ${expected.source}`));
        assert.throws(() => caseFolder.db.addNote({ text: 'fine', examiner: name }), expected);
        assert.equal(caseFolder.db.tagsOf(1).length, 0);
      } finally {
        caseFolder.close();
      }
      await assert.rejects(
        CaseFolder.create(join(root, `refused-${++count}`), { number: 'N-1', title: `gpj${character}.exe`, examiner: 'alice' }),
        new RegExp(`the case title contains an? ${expected.source}`),
      );
      await assert.rejects(
        CaseFolder.create(join(root, `refused-${++count}`), { number: `N${character}1`, title: 'x', examiner: 'alice' }),
        /the case number contains/,
      );
    });
  }

  it('are refused by the command line with exit 2 and the reason', () => {
    const result = runAcsr([
      'case',
      'create',
      '--case',
      join(root, 'cli-refused'),
      '--number',
      'C-1',
      '--title',
      'invoice\u202efdp.exe',
      '--examiner',
      'alice',
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the case title contains a text-direction control \(U\+202E at character 8\)/);
  });
});

describe('reserved case numbers', () => {
  it("refuses numbers that would take the folder of the workspace's bundles or evaluations, whatever their case", async () => {
    assert.throws(
      () => caseIdFromNumber('bundles'),
      /case number 'bundles' is reserved: the workspace keeps its trained reference bundles in the folder 'bundles'/,
    );
    assert.throws(
      () => caseIdFromNumber('Evaluations'),
      /case number 'Evaluations' is reserved: the workspace keeps its evaluations in the folder 'evaluations'/,
    );
    assert.throws(() => caseIdFromNumber(' evaluations '), /is reserved/);
    assert.equal(caseIdFromNumber('bundles-2026'), 'bundles-2026');
    const library = new CaseLibrary(await makeTempDir('workspace'));
    try {
      await assert.rejects(library.create({ number: 'bundles', title: 'x', examiner: 'alice' }), /is reserved/);
      assert.deepEqual(await library.list(), []);
    } finally {
      library.close();
      await removeTempDir(library.workspace);
    }
  });
});

describe('case numbers that are not safe folder names', () => {
  const UNSAFE = ['../../etc', '2026/0042', 'a b', '.hidden', '-1', 'x..y', 'C:\\x', 'n\u00e9', 'a'.repeat(65)];

  it('are refused with the characters allowed, never rewritten into another folder name', async () => {
    for (const number of UNSAFE) {
      assert.throws(
        () => caseIdFromNumber(number),
        /cannot be a folder name: use only letters, digits, dots \(\.\), underscores \(_\) and hyphens \(-\), at most 64 characters, starting with a letter or digit/,
        number,
      );
    }
    assert.equal(caseIdFromNumber(' 2026-0042 '), '2026-0042');
    assert.equal(caseIdFromNumber('A.b_c-1'), 'A.b_c-1');
    const library = new CaseLibrary(await makeTempDir('workspace'));
    try {
      await assert.rejects(library.create({ number: '../../etc', title: 'x', examiner: 'alice' }), /the case number '\.\.\/\.\.\/etc' cannot be a folder name/);
      assert.deepEqual(await library.list(), []);
      assert.equal((await library.create({ number: '2026-0042', title: 'x', examiner: 'alice' })).caseId, '2026-0042');
    } finally {
      library.close();
      await removeTempDir(library.workspace);
    }
  });

  it('are refused by `acsr case create` with exit 2 and one line, and no folder is made', async () => {
    const folder = join(root, 'cli-unsafe-number');
    const result = runAcsr(['case', 'create', '--case', folder, '--number', '../../etc', '--title', 'x', '--examiner', 'alice']);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /the case number '\.\.\/\.\.\/etc' cannot be a folder name: use only letters, digits/);
    assert.equal(await stat(folder).catch(() => null), null);
  });
});

describe('the OS user beside the typed examiner', () => {
  it('is recorded in every audit entry and in the examiner registration, and is covered by the entry hash', async () => {
    const caseFolder = await newCase('A. Jones');
    const osUser = userInfo().username;
    try {
      const rows = [...caseFolder.db.auditRows()];
      assert.ok(
        rows.every((row) => row.osUser === osUser),
        JSON.stringify(rows.map((row) => row.osUser)),
      );
      const registration = rows.find((row) => row.action === 'examiner-register')!;
      assert.deepEqual(JSON.parse(registration.parameters), { name: 'A. Jones', osUser });
      assert.equal(checkAuditChain(rows).broken, null);
    } finally {
      caseFolder.close();
    }
    const db = new Database(join(caseFolder.folder, 'case.sqlite'));
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(`UPDATE audit_log SET os_user = 'someone-else' WHERE sequence = 2`).run();
    db.close();
    const reopened = await CaseFolder.open(caseFolder.folder);
    try {
      assert.match(checkAuditChain(reopened.db.auditRows()).broken?.reason ?? '', /content does not match its hash/);
    } finally {
      reopened.close();
    }
  });
});
