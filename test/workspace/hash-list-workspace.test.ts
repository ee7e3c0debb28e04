// Known-content hash lists in a real workspace: lists imported with `acsr hashlist import` (run
// in this process through the CLI's own dispatcher) into workspace.sqlite (real SQLite), listed and removed; a malformed list refused by its line with
// nothing stored; and `acsr case match` finding real photos of a real case (their exact hashes,
// and a JPEG re-encode and a mirror of listed pictures by PDQ) and nothing else.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { checkAuditChain } from '../../main/case/audit-chain.ts';
import { auditEntryFromRow, type AuditLogRow } from '../../main/case/stores/audit-store.ts';
import { computePdqDihedralOfFile } from '../../main/pdq/pdq.ts';
import { WorkspaceDatabase, WORKSPACE_DATABASE_FILE } from '../../main/workspace/workspace-database.ts';
import { copyPhotos, makeTempDir, photosDir, removeTempDir } from '../case/case-fixtures.ts';
import { jsonSummary, runAcsrInProcess } from '../support/acsr-in-process.ts';

let workspace: string;
let caseDir: string;
let listA: string;
let listB: string;

const sha = (algorithm: string, file: string) => createHash(algorithm).update(readFileSync(file)).digest('hex');

/** Row counts of the workspace's tables, to show that a refused import stored nothing. */
function tableCounts(): Record<string, number> {
  const db = new Database(join(workspace, WORKSPACE_DATABASE_FILE), { readonly: true });
  try {
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return {
      lists: count('hash_lists'),
      entries: count('hash_list_entries'),
      exactHashes: count('hash_list_hashes'),
      pdqBlocks: count('hash_list_pdq_blocks'),
      audit: count('audit_log'),
    };
  } finally {
    db.close();
  }
}

function workspaceAudit(): AuditLogRow[] {
  const db = new Database(join(workspace, WORKSPACE_DATABASE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT * FROM audit_log ORDER BY sequence').all() as AuditLogRow[];
  } finally {
    db.close();
  }
}

before(async () => {
  workspace = await makeTempDir('hashlists');
  caseDir = join(workspace, '2026-0077');
  // The evidence: three photos as they are, a JPEG q70 re-encode of the astronaut, a mirror of the
  // flower, and the coffee photo that no list holds.
  const input = join(workspace, 'in');
  await copyPhotos(input, ['china.jpg', 'skimage-camera.png', 'darknet-dog.jpg', 'skimage-coffee.png']);
  await sharp(join(photosDir, 'skimage-astronaut.png')).jpeg({ quality: 70 }).toFile(join(input, 'astronaut-q70.jpg'));
  await sharp(join(photosDir, 'flower.jpg')).rotate().flop().png().toFile(join(input, 'flower-mirrored.png'));
  jsonSummary(await runAcsrInProcess(['case', 'create', '--case', caseDir, '--number', '2026-0077', '--title', 'Uploads', '--examiner', 'A. Jones', '--json']));
  const imported = jsonSummary(await runAcsrInProcess(['case', 'import', '--case', caseDir, '--in', input, '--examiner', 'A. Jones', '--json', '--quiet']));
  assert.equal(imported.imported, 6);

  // List A: a text list naming each hash's kind, built from the original files.
  const astronaut = await computePdqDihedralOfFile(join(photosDir, 'skimage-astronaut.png'));
  const flower = await computePdqDihedralOfFile(join(photosDir, 'flower.jpg'));
  listA = join(workspace, 'known-a.csv');
  await writeFile(
    listA,
    [
      'hash,kind,category,source',
      `${astronaut.original.hash},pdq,CAT-1,astronaut original`,
      `${flower.original.hash},pdq,CAT-2,flower original`,
      '# exact hashes of the files themselves',
      `${sha('md5', join(input, 'china.jpg'))},md5,CAT-3,china file`,
      `${sha('sha1', join(input, 'skimage-camera.png'))},sha1,CAT-1,camera file`,
      `${sha('sha256', join(input, 'skimage-camera.png'))},sha256,CAT-1,camera file again`,
      // A picture that is in no case: a PDQ hash far from all of them.
      `${'0f'.repeat(32)},pdq,CAT-2,unrelated`,
    ].join('\n') + '\n',
  );
  // List B: Project VIC JSON with the dog's MD5 and SHA-1 in one media record.
  listB = join(workspace, 'vics-b.json');
  await writeFile(
    listB,
    JSON.stringify(
      {
        '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media',
        value: [{ MediaID: 41, Category: 2, MD5: sha('md5', join(input, 'darknet-dog.jpg')).toUpperCase(), SHA1: sha('sha1', join(input, 'darknet-dog.jpg')) }],
      },
      null,
      2,
    ),
  );
});

after(async () => {
  await removeTempDir(workspace);
});

describe('hash lists in the workspace', () => {
  it('imports lists with their SHA-256, counts and examiner, in an audit log that holds', async () => {
    const a = jsonSummary(
      await runAcsrInProcess(['hashlist', 'import', '--workspace', workspace, '--file', listA, '--examiner', 'A. Jones', '--json', '--quiet']),
    );
    assert.deepEqual(
      [a.list.id, a.list.name, a.list.format, a.list.entryCount, a.list.counts, a.list.importedBy],
      [1, 'known-a', 'text', 6, { pdq: 3, md5: 1, sha1: 1, sha256: 1 }, 'A. Jones'],
    );
    assert.equal(a.list.sha256, sha('sha256', listA));
    const b = jsonSummary(
      await runAcsrInProcess([
        'hashlist',
        'import',
        '--workspace',
        workspace,
        '--file',
        listB,
        '--name',
        'Project VIC B',
        '--examiner',
        'B. Smith',
        '--json',
        '--quiet',
      ]),
    );
    assert.deepEqual([b.list.id, b.list.name, b.list.format, b.list.counts], [2, 'Project VIC B', 'vics-json', { pdq: 0, md5: 1, sha1: 1, sha256: 0 }]);

    const listed = await runAcsrInProcess(['hashlist', 'list', '--workspace', workspace]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      /^ {3}1 {2}known-a {2}text {2}6 entries \(3 PDQ, 1 MD5, 1 SHA-1, 1 SHA-256\) {2}sha256 [0-9a-f]{12} {2}imported \S+ by A\. Jones$/m,
    );
    assert.match(listed.stdout, /^2 lists$/m);

    const audit = workspaceAudit();
    assert.deepEqual(
      audit.map((row) => [row.action, row.subject, row.examiner, JSON.parse(row.parameters).sha256]),
      [
        ['hashlist-import', 'hashlist:1', 'A. Jones', sha('sha256', listA)],
        ['hashlist-import', 'hashlist:2', 'B. Smith', sha('sha256', listB)],
      ],
    );
    assert.equal(checkAuditChain(audit.map(auditEntryFromRow)).broken, null);
  });

  it('refuses a malformed list with its line number and stores nothing; refuses the same file twice', async () => {
    const before = tableCounts();
    const bad = join(workspace, 'bad.csv');
    await writeFile(bad, `md5,category\n${'a'.repeat(32)},CAT-1\n${'b'.repeat(31)},CAT-1\n${'c'.repeat(32)},CAT-1\n`);
    const refused = await runAcsrInProcess(['hashlist', 'import', '--workspace', workspace, '--file', bad, '--examiner', 'A. Jones']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.match(refused.stderr, /^acsr hashlist import: error: bad\.csv line 3: /);
    const again = await runAcsrInProcess(['hashlist', 'import', '--workspace', workspace, '--file', listA, '--name', 'other name', '--examiner', 'A. Jones']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /this file is already imported as list 1 \('known-a'/);
    assert.deepEqual(tableCounts(), before);
  });

  it("matches a case's items: exact hashes, and the re-encode and the mirror by PDQ over the variants; nothing else", async () => {
    const result = jsonSummary(await runAcsrInProcess(['case', 'match', '--case', caseDir, '--examiner', 'C. Lee', '--json', '--quiet']));
    const found = result.matches.map((m: any) => `${m.itemName} ${m.listName} ${m.kind} ${m.category} ${m.source} line ${m.line}`);
    assert.deepEqual(
      found,
      [
        'china.jpg known-a md5 CAT-3 china file line 5',
        'darknet-dog.jpg Project VIC B md5 2 MediaID 41 line 4',
        'darknet-dog.jpg Project VIC B sha1 2 MediaID 41 line 4',
        'skimage-camera.png known-a sha1 CAT-1 camera file line 6',
        'skimage-camera.png known-a sha256 CAT-1 camera file again line 7',
        'astronaut-q70.jpg known-a pdq CAT-1 astronaut original line 2',
        'flower-mirrored.png known-a pdq CAT-2 flower original line 3',
      ].sort((x, y) => order(x) - order(y)),
    );
    for (const match of result.matches) {
      if (match.kind !== 'pdq') assert.deepEqual([match.distance, match.variant], [0, null]);
      else assert.ok(match.distance <= 31, `${match.itemName} at ${match.distance}`);
    }
    // The mirror is found through a mirrored variant, the re-encode through the picture as it is.
    const variant = (name: string) => result.matches.find((m: any) => m.itemName === name).variant;
    assert.equal(variant('astronaut-q70.jpg'), 'original');
    assert.notEqual(variant('flower-mirrored.png'), 'original');
    assert.deepEqual([result.itemsChecked, result.matchedItems, result.threshold], [6, 5, 31]);
    assert.deepEqual(
      result.lists.map((list: any) => list.sha256),
      [sha('sha256', listA), sha('sha256', listB)],
    );

    // A tighter threshold keeps the exact matches and drops the PDQ matches beyond it.
    const tight = jsonSummary(await runAcsrInProcess(['case', 'match', '--case', caseDir, '--threshold', '0', '--examiner', 'C. Lee', '--json', '--quiet']));
    const key = (m: any) => `${m.itemId} ${m.listId} ${m.kind} ${m.line}`;
    assert.deepEqual(tight.matches.map(key), result.matches.filter((m: any) => m.kind !== 'pdq' || m.distance === 0).map(key));
    assert.ok(
      result.matches.some((m: any) => m.kind === 'pdq' && m.distance > 0),
      'some PDQ match is inexact',
    );

    // The run is in the case's audit log, with the versions of the lists it used, and the case verifies.
    const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
    const entry = db.prepare(`SELECT examiner, parameters FROM audit_log WHERE action = 'hashlist-match' ORDER BY sequence LIMIT 1`).get() as {
      examiner: string;
      parameters: string;
    };
    db.close();
    assert.equal(entry.examiner, 'C. Lee');
    assert.deepEqual(
      JSON.parse(entry.parameters).lists.map((list: any) => list.sha256),
      [sha('sha256', listA), sha('sha256', listB)],
    );
    assert.equal((await runAcsrInProcess(['case', 'verify', '--case', caseDir, '--examiner', 'C. Lee', '--quiet'])).code, 0);

    const printed = await runAcsrInProcess(['case', 'match', '--case', caseDir, '--workspace', workspace, '--examiner', 'C. Lee', '--quiet']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(
      printed.stdout,
      /^item \d+ {2}flower-mirrored\.png {2}list 'known-a' line 3 {2}category CAT-2 {2}PDQ distance \d+ \((rotate|flip)\w+\) {2}source flower original$/m,
    );
    assert.match(printed.stdout, /^5 of 6 items matched \(7 matches\) against 2 lists$/m);
  });

  it('removes a list: its hashes no longer match, its record and audit entries stay', async () => {
    const removed = jsonSummary(
      await runAcsrInProcess(['hashlist', 'remove', '--workspace', workspace, '--list', 'Project VIC B', '--examiner', 'B. Smith', '--json', '--quiet']),
    );
    assert.deepEqual([removed.list.id, removed.list.removedBy], [2, 'B. Smith']);
    const gone = await runAcsrInProcess(['hashlist', 'remove', '--workspace', workspace, '--list', '2', '--examiner', 'B. Smith']);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /hash list 2 \('Project VIC B'\) was removed on \S+ by B\. Smith/);
    assert.deepEqual(
      jsonSummary(await runAcsrInProcess(['hashlist', 'list', '--workspace', workspace, '--json'])).lists.map((list: any) => list.name),
      ['known-a'],
    );
    assert.equal(jsonSummary(await runAcsrInProcess(['hashlist', 'list', '--workspace', workspace, '--all', '--json'])).count, 2);
    const result = jsonSummary(await runAcsrInProcess(['case', 'match', '--case', caseDir, '--examiner', 'C. Lee', '--json', '--quiet']));
    assert.ok(!result.matches.some((m: any) => m.listName === 'Project VIC B'));
    assert.equal(result.matchedItems, 4);
    const counts = tableCounts();
    // List A's six entries, its three exact hashes and its one block of three PDQ hashes remain.
    assert.deepEqual([counts.lists, counts.entries, counts.exactHashes, counts.pdqBlocks], [2, 6, 3, 1]);
    assert.deepEqual(
      workspaceAudit().map((row) => row.action),
      ['hashlist-import', 'hashlist-import', 'hashlist-remove'],
    );
    // The same file can come back as a new list (a new version of the record).
    const back = jsonSummary(
      await runAcsrInProcess([
        'hashlist',
        'import',
        '--workspace',
        workspace,
        '--file',
        listB,
        '--name',
        'Project VIC B',
        '--examiner',
        'B. Smith',
        '--json',
        '--quiet',
      ]),
    );
    assert.equal(back.list.id, 3);
  });

  it('reads no workspace that has no database, and leaves none behind', async () => {
    const empty = join(workspace, 'empty');
    await mkdir(empty);
    const listed = await runAcsrInProcess(['hashlist', 'list', '--workspace', empty]);
    assert.equal(listed.code, 2);
    assert.match(listed.stderr, /has no workspace database \(workspace\.sqlite\); import a hash list into it first/);
    const matched = await runAcsrInProcess(['case', 'match', '--case', caseDir, '--workspace', empty, '--examiner', 'C. Lee']);
    assert.equal(matched.code, 2);
    assert.equal(existsSync(join(empty, WORKSPACE_DATABASE_FILE)), false);
  });

  it('refuses a workspace database written by a newer version', async () => {
    const other = join(workspace, 'newer');
    await mkdir(other);
    WorkspaceDatabase.open(other).close();
    const db = new Database(join(other, WORKSPACE_DATABASE_FILE));
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => WorkspaceDatabase.open(other), /workspace database has schema version 99, newer than this program understands/);
    const listed = await runAcsrInProcess(['hashlist', 'list', '--workspace', other]);
    assert.equal(listed.code, 2);
  });

  it('matches from the hashes kept at import without reading the evidence; an altered file is named by verification', async () => {
    const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
    const stored = db.prepare(`SELECT id, store_path FROM evidence_items WHERE original_name = 'china.jpg'`).get() as { id: number; store_path: string };
    db.close();
    const file = join(caseDir, stored.store_path);
    await chmod(file, 0o644);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(file, bytes);
    const matched = jsonSummary(await runAcsrInProcess(['case', 'match', '--case', caseDir, '--examiner', 'C. Lee', '--json', '--quiet']));
    // china.jpg still matches by the MD5 its import recorded: the altered bytes are never hashed.
    assert.ok(matched.matches.some((m: any) => m.itemId === stored.id && m.kind === 'md5'));
    const verified = await runAcsrInProcess(['case', 'verify', '--case', caseDir, '--examiner', 'C. Lee']);
    assert.notEqual(verified.code, 0);
    assert.match(verified.stdout + verified.stderr, new RegExp(`item ${stored.id}\\b`));
  });
});

/** Matches come out by item (in import order: the input folder's sorted names), then list, then line. */
function order(line: string): number {
  const names = ['astronaut-q70.jpg', 'china.jpg', 'darknet-dog.jpg', 'flower-mirrored.png', 'skimage-camera.png', 'skimage-coffee.png'];
  return names.indexOf(line.split(' ')[0]) * 100 + (line.includes('Project VIC B') ? 50 : 0) + Number(line.split('line ')[1]);
}
