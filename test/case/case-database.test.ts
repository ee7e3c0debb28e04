import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseDatabase, SYSTEM_EXAMINER } from '../../main/case/case-database.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { LATEST_SCHEMA_VERSION } from '../../main/case/migrations.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { copyPhotos, makeTempDir, removeTempDir } from './case-fixtures.ts';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

let root: string;
let caseFolder: CaseFolder;

before(async () => {
  root = await makeTempDir('db');
  const photos = await copyPhotos(join(root, 'in'), ['china.jpg', 'flower.jpg', 'skimage-camera.png']);
  caseFolder = await CaseFolder.create(join(root, 'case'), { number: '2026-0001', title: 'database tests', requester: 'T&S', examiner: 'alice' });
  const summary = await caseFolder.importEvidence(photos, { examiner: 'alice' });
  assert.equal(summary.imported, 3);
});

after(async () => {
  caseFolder?.close();
  await removeTempDir(root);
});

function rawConnection(): Database.Database {
  return new Database(join(caseFolder.folder, 'case.sqlite'));
}

describe('case database schema', () => {
  it('is migrated to the latest version, with WAL and foreign keys on', () => {
    const file = caseFolder.db.stores.file;
    assert.deepEqual(file.settings(), { userVersion: LATEST_SCHEMA_VERSION, journalMode: 'wal', foreignKeys: true });
    assert.deepEqual(file.integrityCheck(), ['ok']);
  });

  it('refuses to touch a database made by a newer version', async () => {
    const path = join(root, 'future.sqlite');
    const future = new Database(path);
    future.pragma('user_version = 99');
    future.close();
    assert.throws(
      () => CaseDatabase.open(path),
      (error: unknown) => error instanceof UserInputError && /schema version 99, newer/.test(error.message),
    );
  });

  it('makes audit rows and evidence rows impossible to change or delete through SQL', () => {
    const db = rawConnection();
    try {
      assert.throws(() => db.prepare(`UPDATE audit_log SET examiner = 'mallory' WHERE sequence = 1`).run(), /audit_log is append-only: rows cannot be changed/);
      assert.throws(() => db.prepare('DELETE FROM audit_log WHERE sequence = 2').run(), /audit_log is append-only: rows cannot be deleted/);
      assert.throws(() => db.prepare(`UPDATE evidence_items SET sha256 = ? WHERE id = 1`).run(SHA_A), /evidence_items is append-only/);
      assert.throws(() => db.prepare('DELETE FROM evidence_items WHERE id = 3').run(), /evidence_items is append-only: rows cannot be deleted/);
    } finally {
      db.close();
    }
  });

  it('enforces foreign keys', () => {
    // The program's connection has them on (above); the schema declares them, so a row naming no item is refused.
    const db = rawConnection();
    try {
      db.pragma('foreign_keys = ON');
      assert.throws(
        () => db.prepare(`INSERT INTO tags (item_id, kind, value, examiner_id, created_at) VALUES (999, 'user', 'x', 1, 'now')`).run(),
        /FOREIGN KEY constraint failed/,
      );
    } finally {
      db.close();
    }
  });
});

describe('the write path', () => {
  it('appends audit entries only inside a write transaction', () => {
    const head = caseFolder.db.auditHead();
    assert.throws(() => caseFolder.db.stores.write.audit({ examiner: 'alice', action: 'note', subject: 'case:2026-0001' }), /outside a write transaction/);
    assert.deepEqual(caseFolder.db.auditHead(), head);
  });

  it('keeps nothing of a write that fails half-way: neither its rows nor its entries', () => {
    const { db } = caseFolder;
    const head = db.auditHead();
    const examiners = db.stores.examiners.storedRows().length;
    // 'newcomer' is registered (a row and an entry) before the override's examiner name is refused.
    assert.throws(
      () =>
        db.recordPurificationRun({
          itemId: 3,
          bundleId: 'b',
          bundleManifestSha256: SHA_A,
          parameters: {},
          backend: 'wasm',
          chosenCluster: 0,
          clusterDistances: [1, 2],
          override: { cluster: 1, examiner: 'mal\u202elory', reason: 'looks odd' },
          outputSha256: SHA_B,
          outputPdqHash: 'c'.repeat(64),
          outputPdqQuality: 100,
          pdqDistance: 3,
          timingsMs: {},
          examiner: 'newcomer',
        }),
      (error: unknown) => error instanceof UserInputError && /text-direction control/.test(error.message),
    );
    assert.deepEqual(db.auditHead(), head);
    assert.equal(db.stores.examiners.storedRows().length, examiners);
    assert.deepEqual(db.purificationRuns(3), []);
  });
});

describe('tags, categories and notes', () => {
  it('keeps the latest category as current, the history in order, and filters lists by category and tags', () => {
    const { db } = caseFolder;
    db.addTag({ itemId: 1, category: 'CAT-2', examiner: 'bob', comment: 'first look' });
    db.addTag({ itemId: 1, category: 'cat-5', examiner: 'carol', comment: 'second opinion' });
    db.addTag({ itemId: 2, category: 'CAT-2', examiner: 'bob' });
    db.addTag({ itemId: 1, tag: 'reviewed', examiner: 'bob' });
    db.addTag({ itemId: 2, tag: 'reviewed', examiner: 'bob' });
    db.addTag({ itemId: 2, tag: 'needs second look', examiner: 'bob' });

    assert.deepEqual(
      db.tagsOf(1).map((tag) => [tag.kind, tag.value, tag.examiner, tag.comment]),
      [
        ['category', 'CAT-2', 'bob', 'first look'],
        ['category', 'CAT-5', 'carol', 'second opinion'],
        ['user', 'reviewed', 'bob', null],
      ],
    );
    assert.deepEqual(
      db.listItems({ category: 'CAT-2' }).map((item) => item.id),
      [2],
    );
    assert.deepEqual(
      db.listItems({ category: 'CAT-5' }).map((item) => item.id),
      [1],
    );
    assert.deepEqual(
      db.listItems({ uncategorised: true }).map((item) => item.id),
      [3],
    );
    assert.deepEqual(
      db.listItems({ tags: ['reviewed'] }).map((item) => item.id),
      [1, 2],
    );
    assert.deepEqual(
      db.listItems({ tags: ['reviewed', 'needs second look'] }).map((item) => item.id),
      [2],
    );
    assert.deepEqual(db.listItems({ category: 'CAT-5', tags: ['needs second look'] }), []);
    const second = db.listItems().find((item) => item.id === 2)!;
    assert.deepEqual([second.category, second.tags], ['CAT-2', ['needs second look', 'reviewed']]);

    const tagEntries = [...db.auditRows({ subject: 'item:1' })].filter((row) => row.action === 'tag');
    assert.equal(tagEntries.length, 3);
    assert.deepEqual(JSON.parse(tagEntries[1].parameters), { comment: 'second opinion', kind: 'category', tagId: 2, value: 'CAT-5' });
    assert.equal(tagEntries[1].examiner, 'carol');
  });

  it('refuses unknown categories, tags that look like categories, control characters and unknown items', () => {
    const { db } = caseFolder;
    assert.throws(() => db.addTag({ itemId: 1, category: 'CAT-9', examiner: 'bob' }), /unknown category 'CAT-9'/);
    assert.throws(() => db.addTag({ itemId: 1, tag: 'cat-1', examiner: 'bob' }), /looks like a category/);
    assert.throws(
      () => db.addTag({ itemId: 1, tag: 'bad\u001b[2Jtag', examiner: 'bob' }),
      /the tag contains an invisible or control character \(U\+001B at character 4\)/,
    );
    assert.throws(() => db.addTag({ itemId: 42, tag: 'x', examiner: 'bob' }), /no evidence item 42/);
    assert.throws(() => db.addTag({ itemId: 1, tag: 'x', examiner: '  ' }), /examiner name cannot be empty/);
    assert.throws(
      () => db.addTag({ itemId: 1, tag: 'x', examiner: 'eve\r\nalice' }),
      /the examiner name contains an invisible or control character \(U\+000D at character 4\)/,
    );
  });

  it('adds notes to the case and to items, each with an audit entry', () => {
    const { db } = caseFolder;
    const caseNote = db.addNote({ text: 'received from escalations queue', examiner: 'alice' });
    db.addNote({ itemId: 3, text: 'same camera as item 1', examiner: 'bob' });
    assert.deepEqual(
      db.notes({ itemId: null }).map((note) => note.id),
      [caseNote.id],
    );
    assert.deepEqual(
      db.notes({ itemId: 3 }).map((note) => note.text),
      ['same camera as item 1'],
    );
    const entries = [...db.auditRows()].filter((row) => row.action === 'note');
    assert.deepEqual(
      entries.map((row) => row.subject),
      ['case:2026-0001', 'item:3'],
    );
    assert.throws(() => db.addNote({ text: '   ', examiner: 'bob' }), /cannot be empty/);
  });
});

describe('records for purification, classification and reports', () => {
  it('records a purification run with an override, verdicts before and after, and a report, each in the audit log', () => {
    const { db } = caseFolder;
    const run = db.recordPurificationRun({
      itemId: 2,
      bundleId: 'photos-v1',
      bundleManifestSha256: SHA_A,
      parameters: { lambda: 0.1, iterations: 50 },
      seed: 7,
      backend: 'wasm',
      chosenCluster: 1,
      clusterDistances: [3.5, 1.25, 9],
      override: { cluster: 0, examiner: 'carol', reason: 'cluster 1 is for line art' },
      outputSha256: SHA_B,
      outputPdqHash: caseFolder.db.getItem(2).pdqHash,
      outputPdqQuality: 90,
      pdqDistance: 0,
      timingsMs: { purify: 1234.5 },
      examiner: 'bob',
    });
    assert.deepEqual(run.override, { cluster: 0, examiner: 'carol', reason: 'cluster 1 is for line art' });
    assert.deepEqual(run.clusterDistances, [3.5, 1.25, 9]);
    const before = db.recordVerdict({
      itemId: 2,
      stage: 'before',
      modelId: 'nsfwjs-mobilenet-v2',
      modelWeightsSha256: SHA_A,
      scores: { Neutral: 0.2, Porn: 0.7, Drawing: 0.1 },
      examiner: 'bob',
    });
    const afterVerdict = db.recordVerdict({
      itemId: 2,
      stage: 'after',
      purificationRunId: run.id,
      modelId: 'nsfwjs-mobilenet-v2',
      modelWeightsSha256: SHA_A,
      scores: { Neutral: 0.9, Porn: 0.05, Drawing: 0.05 },
      examiner: 'bob',
    });
    assert.equal(before.topClass, 'Porn');
    assert.equal(afterVerdict.topClass, 'Neutral');
    assert.throws(
      () => db.recordVerdict({ itemId: 2, stage: 'after', modelId: 'm', modelWeightsSha256: SHA_A, scores: { a: 1 }, examiner: 'bob' }),
      /CHECK constraint failed/,
    );
    assert.throws(
      () =>
        db.recordVerdict({ itemId: 1, stage: 'after', purificationRunId: run.id, modelId: 'm', modelWeightsSha256: SHA_A, scores: { a: 1 }, examiner: 'bob' }),
      /not a run of item 1/,
    );
    const report = db.recordReport({ reportUid: 'R-1', format: 'pdf', path: '/tmp/r.pdf', sha256: SHA_B, examiner: 'alice' });
    assert.equal(db.reports()[0].id, report.id);

    const actions = [...db.auditRows()].slice(-4).map((row) => [row.action, row.examiner, row.subject]);
    assert.deepEqual(actions, [
      ['purify', 'bob', 'item:2'],
      ['classify', 'bob', 'item:2'],
      ['classify', 'bob', 'item:2'],
      ['report', 'alice', 'report:R-1'],
    ]);
    const overrideEntry = [...db.auditRows()].find((row) => row.action === 'override')!;
    assert.deepEqual(JSON.parse(overrideEntry.parameters), { chosenCluster: 1, reason: 'cluster 1 is for line art', runId: run.id, usedCluster: 0 });
    assert.throws(
      () => db.recordPurificationRun({ ...run, override: { cluster: 0, examiner: 'x', reason: ' ' }, timingsMs: {}, examiner: 'bob' } as never),
      /needs a reason/,
    );
  });
});

describe('a purification run and its verdicts', () => {
  const runOfItem3 = {
    itemId: 3,
    bundleId: 'photos-v1',
    bundleManifestSha256: SHA_A,
    parameters: { lambda: 0.1 },
    backend: 'wasm',
    chosenCluster: 0,
    clusterDistances: [1.5, 2.5],
    outputSha256: SHA_B,
    outputPdqQuality: 90,
    pdqDistance: 0,
    timingsMs: { purify: 10 },
    examiner: 'bob',
  };
  const verdict = (stage: 'before' | 'after', scores: Record<string, number>) => ({
    stage,
    scores,
    modelId: 'nsfwjs-mobilenet-v2',
    modelWeightsSha256: SHA_A,
    examiner: 'bob',
  });

  it('are written together or not at all: a verdict that fails leaves no run and no audit entry', () => {
    const { db } = caseFolder;
    const auditBefore = [...db.auditRows()].length;
    const input = { ...runOfItem3, outputPdqHash: db.getItem(3).pdqHash };
    assert.throws(
      () => db.recordPurificationWithVerdicts(input, [verdict('before', { Neutral: 0.9, Porn: 0.1 }), verdict('after', {})]),
      /at least one class score/,
    );
    assert.deepEqual(db.purificationRuns(3), []);
    assert.deepEqual(db.verdicts(3), []);
    assert.equal([...db.auditRows()].length, auditBefore);

    const { run, verdicts } = db.recordPurificationWithVerdicts(input, [
      verdict('before', { Neutral: 0.2, Porn: 0.8 }),
      verdict('after', { Neutral: 0.9, Porn: 0.1 }),
    ]);
    assert.deepEqual(
      db.verdicts(3).map((stored) => [stored.stage, stored.topClass, stored.purificationRunId]),
      [
        ['before', 'Porn', run.id],
        ['after', 'Neutral', run.id],
      ],
    );
    assert.deepEqual(
      verdicts.map((stored) => stored.id),
      db.verdicts(3).map((stored) => stored.id),
    );
    assert.deepEqual(
      [...db.auditRows()].slice(auditBefore).map((row) => row.action),
      ['purify', 'classify', 'classify'],
    );
  });
});

describe('jobs', () => {
  it('marks a running job whose process is gone as interrupted, with an audit entry, when the case is opened', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    const db = rawConnection();
    db.prepare(
      `INSERT INTO jobs (case_id, kind, state, parameters, examiner_id, owner_pid, owner_host, created_at, updated_at)
       VALUES (1, 'import', 'running', '{}', 1, ?, ?, 'then', 'then')`,
    ).run(dead, (await import('node:os')).hostname());
    db.close();
    const reopened = await CaseFolder.open(caseFolder.folder);
    try {
      const [job] = reopened.interruptedOnOpen;
      assert.equal(job.state, 'interrupted');
      assert.match(job.error!, new RegExp(`process ${dead} ended`));
      const entry = [...reopened.db.auditRows()].at(-1)!;
      assert.deepEqual([entry.action, entry.subject, entry.examiner], ['job-interrupted', `job:${job.id}`, SYSTEM_EXAMINER]);
    } finally {
      reopened.close();
    }
  });
});

describe('imports racing another process', () => {
  it('records content that was imported meanwhile as a duplicate of that item, not as a second item', () => {
    const { db } = caseFolder;
    const job = db.startJob({ kind: 'import', parameters: { inputs: ['elsewhere'] }, examiner: 'dave' });
    const first = db.getItem(1);
    const recorded = db.recordImportedItem({ ...first, originalPath: '/elsewhere/copy.jpg', originalName: 'copy.jpg', jobId: job.id, examiner: 'dave' });
    assert.deepEqual([recorded.duplicate, recorded.item.id], [true, 1]);
    assert.deepEqual(db.importOutcomes(job.id), [{ sourcePath: '/elsewhere/copy.jpg', outcome: 'duplicate', itemId: 1, errorKind: null, message: null }]);
    assert.equal(db.itemCount(), 3);
    assert.equal([...db.auditRows()].at(-1)!.action, 'import-duplicate');
  });
});

describe('closing', () => {
  it('records when and by whom a case was closed, once', () => {
    const closed = caseFolder.db.closeCase({ examiner: 'alice', reason: 'referred' });
    assert.ok(closed.closedAt !== null && !Number.isNaN(Date.parse(closed.closedAt)));
    const entry = [...caseFolder.db.auditRows()].at(-1)!;
    assert.deepEqual([entry.action, entry.subject, JSON.parse(entry.parameters)], ['case-close', 'case:2026-0001', { reason: 'referred' }]);
    assert.throws(() => caseFolder.db.closeCase({ examiner: 'alice' }), /already closed/);
  });
});

describe('case folders', () => {
  it('refuses to create a case in a non-empty folder and to open a folder that is not a case', async () => {
    await writeFile(join(root, 'in', 'stray.txt'), 'x');
    await assert.rejects(CaseFolder.create(join(root, 'in'), { number: 'N', title: 'T', examiner: 'a' }), /not empty/);
    await assert.rejects(CaseFolder.create(caseFolder.folder, { number: 'N', title: 'T', examiner: 'a' }), /already a case folder/);
    await assert.rejects(CaseFolder.open(join(root, 'in')), /not a case folder \(no case\.sqlite/);
  });
});
