// A case folder written by an earlier build of acsr (fixtures/legacy-case: two photo crops
// imported, categorised, tagged, noted, purified with the default bundle (one run with a
// cluster override, verdicts by nsfwjs), reported, checkpointed and verified, all through the
// CLI) must read, verify and take new entries exactly as before: its hash chain is never
// rewritten, the CLI prints what that build printed (fixtures/legacy-cli-output, the case
// folder written as <CASE>), and new entries link onto its head.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkAuditChain, type StoredAuditRow } from '../../main/case/audit-chain.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeTempDir, removeTempDir, repoRoot, runAcsr } from './case-fixtures.ts';

const fixtures = join(repoRoot, 'test', 'case', 'fixtures');
const LEGACY_ENTRIES = 26;

let root: string;
let caseDir: string;
let legacyRows: StoredAuditRow[];

function auditRowsOf(folder: string): StoredAuditRow[] {
  const db = new Database(join(folder, 'case.sqlite'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT sequence, time, examiner, os_user AS osUser, action, subject, parameters, previous_sha256 AS previousSha256, sha256
         FROM audit_log ORDER BY sequence`,
      )
      .all() as StoredAuditRow[];
  } finally {
    db.close();
  }
}

before(async () => {
  root = await makeTempDir('legacy');
  caseDir = join(root, 'case');
  await cp(join(fixtures, 'legacy-case'), caseDir, { recursive: true });
  // The signer's own checkpoint journal (no key: verification needs only the public half in the case).
  await cp(join(fixtures, 'legacy-home'), join(root, 'home'), { recursive: true });
  process.env.ACSR_HOME = join(root, 'home');
  // read from the copy before the product opens it: the fixture itself is never opened, so it stays byte for byte as written
  legacyRows = auditRowsOf(caseDir);
});

after(async () => {
  await removeTempDir(root);
});

describe('a case folder written by an earlier build', () => {
  it('holds the chain it was written with', () => {
    assert.equal(legacyRows.length, LEGACY_ENTRIES);
    assert.deepEqual(checkAuditChain(legacyRows), { entries: LEGACY_ENTRIES, headSha256: legacyRows.at(-1)!.sha256, broken: null });
  });

  it('prints, with the read-only commands, exactly what that build printed', async () => {
    const commands: Record<string, string[]> = {
      'show.txt': ['case', 'show', '--case', caseDir],
      'show-item-1.txt': ['case', 'show', '--case', caseDir, '--item', '1'],
      'show-item-2-json.txt': ['case', 'show', '--case', caseDir, '--item', '2', '--json'],
      'list.txt': ['case', 'list', '--case', caseDir],
      'list-filtered.txt': ['case', 'list', '--case', caseDir, '--category', 'CAT-0', '--tag', 'reviewed'],
      'list-none-json.txt': ['case', 'list', '--case', caseDir, '--category', 'none', '--tag', 'reviewed', '--json'],
      'list-json.txt': ['case', 'list', '--case', caseDir, '--json'],
    };
    assert.deepEqual(Object.keys(commands).sort(), (await readdir(join(fixtures, 'legacy-cli-output'))).sort());
    for (const [file, args] of Object.entries(commands)) {
      const result = runAcsr(args);
      const printed = `${result.stdout.split(caseDir).join('<CASE>')}rc=${result.code}\n`;
      assert.equal(printed, await readFile(join(fixtures, 'legacy-cli-output', file), 'utf8'), `${file}: ${result.stderr}`);
    }
    assert.deepEqual(auditRowsOf(caseDir), legacyRows, 'reading wrote nothing');
  });

  it('verifies with exit 0, its checkpoints and report files included', () => {
    const result = runAcsr(['case', 'verify', '--case', caseDir, '--examiner', 'carol']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /audit log\s+26 entries checked/);
    assert.match(result.stdout, /evidence\s+2 files checked, 2 purified outputs/);
    assert.match(result.stdout, /reports\s+2 report files re-hashed/);
    assert.match(result.stdout, /checkpoint\s+entry 25 signed by Renée Old/);
    assert.match(result.stdout, /^verified: /m);
  });

  it('takes new entries onto its head without touching a byte of the old ones, and still verifies', async () => {
    const caseFolder = await CaseFolder.open(caseDir);
    try {
      caseFolder.db.addTag({ itemId: 2, category: 'CAT-1', comment: 'after the upgrade', examiner: 'bob' });
      caseFolder.db.addNote({ itemId: 1, text: 'Checked again', examiner: 'dave' });
      caseFolder.db.closeCase({ examiner: 'Renée Old', reason: 'done' });
      assert.equal(
        caseFolder.db
          .listItems({ category: 'CAT-1', tags: ['reviewed'] })
          .map((item) => item.id)
          .join(),
        '2',
      );
    } finally {
      caseFolder.close();
    }
    const rows = auditRowsOf(caseDir);
    assert.deepEqual(rows.slice(0, LEGACY_ENTRIES), legacyRows);
    // The verify run above (27), then bob's tag (bob is known: no registration), dave registered and his note, the close.
    assert.deepEqual(
      rows.slice(LEGACY_ENTRIES).map((row) => [row.sequence, row.action, row.subject, row.examiner]),
      [
        [27, 'verify', 'case:LEGACY-1', 'carol'],
        [28, 'tag', 'item:2', 'bob'],
        [29, 'examiner-register', 'examiner:3', 'dave'],
        [30, 'note', 'item:1', 'dave'],
        [31, 'case-close', 'case:LEGACY-1', 'Renée Old'],
      ],
    );
    assert.deepEqual(JSON.parse(rows[27].parameters), { tagId: 4, kind: 'category', value: 'CAT-1', comment: 'after the upgrade' });
    assert.deepEqual(JSON.parse(rows[29].parameters), { noteId: 3, text: 'Checked again' });
    assert.equal(rows[LEGACY_ENTRIES].previousSha256, legacyRows.at(-1)!.sha256);
    assert.equal(checkAuditChain(rows).broken, null);

    const result = runAcsr(['case', 'verify', '--case', caseDir, '--examiner', 'carol']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /audit log\s+31 entries checked/);
    assert.match(result.stdout, /checkpoint\s+entry 25 signed by Renée Old .*; 6 later entries not yet signed/);
  });
});
