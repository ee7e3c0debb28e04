// Tampering as an attacker with write access to the case folder would do it: straight SQL on
// case.sqlite (dropping the append-only triggers first) and edits of the evidence files.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditEntryHash } from '../../main/case/audit-chain.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { copyPhotos, makeTempDir, removeTempDir } from './case-fixtures.ts';

let root: string;
let photos: string[];
let caseCount = 0;

before(async () => {
  root = await makeTempDir('verify');
  photos = await copyPhotos(join(root, 'in'), ['china.jpg', 'darknet-dog.jpg', 'flower.jpg', 'skimage-camera.png']);
});
after(async () => {
  await removeTempDir(root);
});

/** A small real case: four imported photos, a tag and a note. */
async function makeCase(): Promise<CaseFolder> {
  const caseFolder = await CaseFolder.create(join(root, `case-${++caseCount}`), { number: `V-${caseCount}`, title: 'verify', examiner: 'alice' });
  await caseFolder.importEvidence(photos, { examiner: 'alice' });
  caseFolder.db.addTag({ itemId: 2, category: 'CAT-5', examiner: 'bob' });
  caseFolder.db.addNote({ itemId: 3, text: 'looks fine', examiner: 'bob' });
  return caseFolder;
}

/** Runs `sql` the way an attacker would: a separate connection, triggers out of the way. */
function tamper(caseFolder: CaseFolder, sql: (db: Database.Database) => void, options: { restoreTriggers?: boolean } = {}): void {
  const db = new Database(join(caseFolder.folder, 'case.sqlite'));
  const triggers = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string; sql: string }[];
  for (const { name } of triggers) db.exec(`DROP TRIGGER ${name}`);
  sql(db);
  if (options.restoreTriggers) for (const trigger of triggers) db.exec(trigger.sql);
  db.close();
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('verifying a case', () => {
  it('passes an untouched case and records the check in the audit log', async () => {
    const caseFolder = await makeCase();
    try {
      const result = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(result.ok, true, result.firstBrokenLink ?? '');
      assert.deepEqual([result.itemsChecked, result.problems, result.firstBrokenLink], [4, [], null]);
      const entry = [...caseFolder.db.auditRows()].at(-1)!;
      assert.deepEqual([entry.sequence, entry.action, entry.examiner], [result.auditSequence, 'verify', 'carol']);
      assert.equal(JSON.parse(entry.parameters).auditHeadSha256, result.auditChain.headSha256);
      // Its own entry extends the chain, which still holds.
      assert.equal((await caseFolder.verify({ examiner: 'carol' })).ok, true);
    } finally {
      caseFolder.close();
    }
  });

  it('catches an audit entry edited in SQL, even with the triggers put back, and names it first', async () => {
    const caseFolder = await makeCase();
    try {
      const target = [...caseFolder.db.auditRows()].find((row) => row.action === 'tag')!;
      tamper(
        caseFolder,
        (db) => db.prepare(`UPDATE audit_log SET parameters = replace(parameters, 'CAT-5', 'CAT-1') WHERE sequence = ?`).run(target.sequence),
        { restoreTriggers: true },
      );
      const result = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(result.ok, false);
      assert.equal(result.auditChain.broken?.sequence, target.sequence);
      assert.match(result.firstBrokenLink!, new RegExp(`^audit entry ${target.sequence}: content does not match its hash`));
    } finally {
      caseFolder.close();
    }
  });

  it('catches an entry rewritten with a recomputed hash at the next link, and reports the removed triggers', async () => {
    const caseFolder = await makeCase();
    try {
      const rows = [...caseFolder.db.auditRows()];
      const target = rows.find((row) => row.action === 'tag')!;
      const forged = { ...target, examiner: 'mallory', parameters: JSON.parse(target.parameters) as unknown };
      tamper(caseFolder, (db) =>
        db.prepare('UPDATE audit_log SET examiner = ?, sha256 = ? WHERE sequence = ?').run('mallory', auditEntryHash(forged), target.sequence),
      );
      const result = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(result.auditChain.broken?.sequence, target.sequence + 1);
      assert.match(result.firstBrokenLink!, /previous-entry hash .* does not match/);
      assert.ok(result.problems.some((problem) => problem.kind === 'append-only-guard' && /audit_log_no_update was removed/.test(problem.reason)));
    } finally {
      caseFolder.close();
    }
  });

  it('catches deleted audit entries', async () => {
    const caseFolder = await makeCase();
    try {
      tamper(caseFolder, (db) => db.prepare('DELETE FROM audit_log WHERE sequence IN (4, 5)').run(), { restoreTriggers: true });
      const result = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(result.firstBrokenLink, 'audit entry 6: entries 4..5 are missing (deleted)');
    } finally {
      caseFolder.close();
    }
  });

  it('catches a modified evidence file and a missing one, naming the item', async () => {
    const caseFolder = await makeCase();
    try {
      const item = caseFolder.db.getItem(3);
      const path = join(caseFolder.folder, item.storePath);
      const bytes = await readFile(path);
      bytes[100] ^= 0x01;
      await chmod(path, 0o644);
      await writeFile(path, bytes);
      const gone = caseFolder.db.getItem(4);
      await rm(join(caseFolder.folder, gone.storePath), { force: true });

      const result = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(result.ok, false);
      assert.equal(result.auditChain.broken, null);
      assert.equal(
        result.firstBrokenLink,
        `item 3 (${item.storePath}): file's SHA-256 is ${sha256Of(bytes)}, recorded ${item.sha256}: the evidence file was altered`,
      );
      assert.deepEqual(
        result.problems.map((problem) => problem.where),
        [`item 3 (${item.storePath})`, `item 4 (${gone.storePath})`],
      );
      assert.match(result.problems[1].reason, /stored file is missing/);
    } finally {
      caseFolder.close();
    }
  });

  it('catches an evidence file swapped together with its database row, through the chained import entry', async () => {
    const caseFolder = await makeCase();
    try {
      const item = caseFolder.db.getItem(1);
      const substitute = Buffer.concat([await readFile(join(caseFolder.folder, item.storePath)), Buffer.from('planted')]);
      const substituteSha = sha256Of(substitute);
      const substitutePath = caseFolder.store.relativePathOf(substituteSha);
      await caseFolder.store.storeBytes(substitute);
      tamper(
        caseFolder,
        (db) =>
          db.prepare('UPDATE evidence_items SET sha256 = ?, store_path = ?, size_bytes = ? WHERE id = 1').run(substituteSha, substitutePath, substitute.length),
        { restoreTriggers: true },
      );
      const result = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(result.ok, false);
      assert.equal(result.auditChain.broken, null);
      assert.ok(
        result.problems.some(
          (problem) =>
            problem.kind === 'record' &&
            problem.where === 'item 1 (china.jpg)' &&
            problem.reason.startsWith(
              `the SHA-256 is "${substituteSha}" in evidence_items, but audit entry ${problem.auditSequence} recorded "${item.sha256}"`,
            ),
        ),
        JSON.stringify(result.problems),
      );
      assert.ok(
        result.problems.some(
          (problem) =>
            problem.where === `item 1 (${substitutePath})` &&
            problem.reason.startsWith(`recorded sha256 "${substituteSha}" differs from the audit log's "${item.sha256}"`),
        ),
      );
      // The original file is still in the store, now named by no record.
      assert.deepEqual(result.unrecordedStoreFiles, [item.storePath]);
    } finally {
      caseFolder.close();
    }
  });
});
