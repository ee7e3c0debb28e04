/**
 * The verify action through `acsr case verify` and through the job runner, on two real cases
 * with the same evidence: both pass the intact case, both find the same altered evidence file,
 * and both record the same check in the audit log (the chain's head apart, which differs by the
 * times in it).
 */
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeTempDir, photosDir, removeTempDir } from '../case/case-fixtures.ts';
import { acsrInProcess, runAsJob } from './action-fixtures.ts';

let root: string;

before(async () => {
  root = await makeTempDir('verify-action');
  await mkdir(join(root, 'photos'));
  for (const name of ['skimage-brick.png', 'darknet-person.jpg']) await copyFile(join(photosDir, name), join(root, 'photos', name));
  for (const name of ['by-cli', 'by-job']) {
    const created = await CaseFolder.create(join(root, name), { number: 'V-1', title: 'verify', examiner: 'alice' });
    await created.importEvidence([join(root, 'photos')], { examiner: 'alice' });
    created.close();
  }
});

after(async () => {
  await removeTempDir(root);
});

/** The check the case recorded last, less the chain head it saw. */
async function lastCheckOf(folder: string) {
  const opened = await CaseFolder.open(folder);
  try {
    const entry = [...opened.db.auditRows()].filter((row) => row.action === 'verify').at(-1)!;
    const { auditHeadSha256: _head, ...parameters } = JSON.parse(entry.parameters) as Record<string, unknown>;
    return { examiner: entry.examiner, subject: entry.subject, parameters };
  } finally {
    opened.close();
  }
}

async function verifyBoth() {
  const cli = await acsrInProcess(['case', 'verify', '--case', join(root, 'by-cli'), '--examiner', 'carol']);
  const job = await runAsJob('verify', { caseFolder: join(root, 'by-job'), examiner: 'carol' });
  assert.equal(job.state, 'completed', job.error ?? '');
  return { cli, job, recorded: { byCli: await lastCheckOf(join(root, 'by-cli')), byJob: await lastCheckOf(join(root, 'by-job')) } };
}

test('acsr case verify and the verify job pass the intact case and record the same check', { timeout: 120_000 }, async () => {
  const { cli, job, recorded } = await verifyBoth();
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(recorded.byJob, recorded.byCli);
  assert.equal(recorded.byCli.parameters.ok, true);
  assert.deepEqual(job.summary, { ok: true, itemsChecked: 2, outputsChecked: 0, problems: 0, firstBrokenLink: null });
  assert.equal(cli.summary.itemsChecked, 2);
});

test('both find the same altered evidence file and record the same failed check', { timeout: 120_000 }, async () => {
  for (const name of ['by-cli', 'by-job']) {
    const opened = await CaseFolder.open(join(root, name));
    const stored = join(opened.folder, opened.db.getItem(1).storePath);
    opened.close();
    await chmod(stored, 0o644);
    await writeFile(stored, "replaced behind the program's back");
  }
  const { cli, job, recorded } = await verifyBoth();
  assert.equal(cli.code, 2);
  assert.deepEqual(recorded.byJob, recorded.byCli);
  assert.equal(recorded.byCli.parameters.ok, false);
  assert.equal(job.summary?.ok, false);
  assert.equal(job.summary?.firstBrokenLink, recorded.byCli.parameters.firstBrokenLink);
  assert.ok(cli.stderr.includes(`first broken link: ${String(job.summary?.firstBrokenLink)}`), cli.stderr);
});
