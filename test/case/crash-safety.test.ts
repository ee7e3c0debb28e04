// An import killed with SIGKILL part-way, as a power cut or the OOM killer would end it.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeTempDir, removeTempDir, runAcsr, spawnAcsr, writeDistinctCopies } from './case-fixtures.ts';

let root: string;
before(async () => {
  root = await makeTempDir('crash');
});
after(async () => {
  await removeTempDir(root);
});

/** Starts `acsr case import` and sends it `signal` once its progress passes `killAtFraction`. */
function importAndKill(
  args: string[],
  killAtFraction: number,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<{ signal: NodeJS.Signals | null; code: number | null; lastFraction: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnAcsr([...args, '--progress', 'json']);
    let lastFraction = 0;
    let buffered = '';
    let sent = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        lastFraction = (JSON.parse(line) as { fraction: number }).fraction;
        if (lastFraction >= killAtFraction && lastFraction < 1 && !sent) sent = child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => resolvePromise({ signal: exitSignal, code, lastFraction }));
  });
}

describe('an import killed mid-way', () => {
  it('leaves a clean database, a verifiable chain, intact items and an interrupted job that resume finishes', async () => {
    const input = join(root, 'in');
    const files = await writeDistinctCopies(input, 3);
    const caseDir = join(root, 'case');
    const created = runAcsr(['case', 'create', '--case', caseDir, '--number', 'K-1', '--title', 'crash', '--examiner', 'alice']);
    assert.equal(created.code, 0, created.stderr);

    const killed = await importAndKill(['case', 'import', '--case', caseDir, '--in', input, '--examiner', 'alice'], 0.2);
    assert.equal(killed.signal, 'SIGKILL', `the import finished before it could be killed (last progress ${killed.lastFraction})`);

    const raw = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.close();

    const caseFolder = await CaseFolder.open(caseDir);
    try {
      assert.deepEqual(
        caseFolder.interruptedOnOpen.map((job) => [job.id, job.state]),
        [[1, 'interrupted']],
      );
      const itemsBefore = caseFolder.db.itemCount();
      assert.ok(itemsBefore > 0 && itemsBefore < files.length, `${itemsBefore} of ${files.length} items imported before the kill`);

      // Every committed item is complete and matches its hash; the chain holds.
      const check = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(check.ok, true, check.firstBrokenLink ?? '');
      assert.equal(check.itemsChecked, itemsBefore);

      const summary = await caseFolder.resumeImport({ examiner: 'alice' });
      assert.deepEqual([summary.jobId, summary.imported, summary.duplicates, summary.errors], [1, files.length, 0, 0]);
      assert.ok(summary.handledEarlier >= itemsBefore);
      assert.equal(caseFolder.db.getJob(1).state, 'completed');
      assert.deepEqual(new Set([...caseFolder.db.items()].map((item) => item.originalPath)), new Set(files));
      assert.deepEqual(await readdir(join(caseDir, 'evidence', '.incoming')), []);

      const final = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(final.ok, true, final.firstBrokenLink ?? '');
      assert.equal(final.itemsChecked, files.length);
      assert.deepEqual(
        [...caseFolder.db.auditRows({ subject: 'job:1' })].map((row) => row.action),
        ['import-start', 'job-interrupted', 'import-resume', 'import-finish'],
      );
    } finally {
      caseFolder.close();
    }
  });
});

describe('an import stopped with Ctrl-C', () => {
  it('exits 130 with the job cancelled, and acsr case import --resume finishes it', async () => {
    const input = join(root, 'in-interrupted');
    const files = await writeDistinctCopies(input, 2);
    const caseDir = join(root, 'case-interrupted');
    assert.equal(runAcsr(['case', 'create', '--case', caseDir, '--number', 'K-2', '--title', 'ctrl-c', '--examiner', 'alice']).code, 0);

    const stopped = await importAndKill(['case', 'import', '--case', caseDir, '--in', input, '--examiner', 'alice'], 0.2, 'SIGINT');
    assert.equal(stopped.code, 130, `exit ${stopped.code} / ${stopped.signal} (last progress ${stopped.lastFraction})`);

    const resumed = runAcsr(['case', 'import', '--case', caseDir, '--resume', '--examiner', 'bob', '--json', '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.lastLine);
    assert.deepEqual([summary.jobId, summary.resumed, summary.imported, summary.total], [1, true, files.length, files.length]);
    assert.match(resumed.stdout, /^import job 1, resumed \(\d+ done before\): \d+ imported/m);

    const caseFolder = await CaseFolder.open(caseDir);
    try {
      assert.deepEqual(
        [...caseFolder.db.auditRows({ subject: 'job:1' })].map((row) => [row.action, row.examiner]),
        [
          ['import-start', 'alice'],
          ['import-cancel', 'alice'],
          ['import-resume', 'bob'],
          ['import-finish', 'bob'],
        ],
      );
      assert.equal((await caseFolder.verify({ examiner: 'carol' })).ok, true);
    } finally {
      caseFolder.close();
    }
  });
});
