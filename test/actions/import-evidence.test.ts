/**
 * The import action through `acsr case import` and through the job runner, on real photos into
 * real case folders: both record the same items (hashes, PDQ, store paths), the same per-file
 * outcomes and the same job; a resume with nothing to resume is refused the same way.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeTempDir, photosDir, removeTempDir } from '../case/case-fixtures.ts';
import { acsrInProcess, runAsJob, withoutMoment } from './action-fixtures.ts';

let root: string;
let inputs: string;

before(async () => {
  root = await makeTempDir('import-action');
  inputs = join(root, 'inputs');
  await mkdir(join(inputs, 'again'), { recursive: true });
  for (const name of ['skimage-brick.png', 'skimage-rocket.jpg', 'darknet-person.jpg']) await copyFile(join(photosDir, name), join(inputs, name));
  await copyFile(join(photosDir, 'skimage-brick.png'), join(inputs, 'again', 'brick-copy.png'));
  await writeFile(join(inputs, 'notes.png'), 'not an image at all');
  for (const name of ['by-cli', 'by-job']) (await CaseFolder.create(join(root, name), { number: 'I-1', title: 'import', examiner: 'alice' })).close();
});

after(async () => {
  await removeTempDir(root);
});

async function recordsOf(folder: string) {
  const opened = await CaseFolder.open(folder);
  try {
    const jobs = opened.db.jobs({ kind: 'import' });
    return {
      items: [...opened.db.items()].map((item) => withoutMoment(item)),
      outcomes: jobs.map((job) => opened.db.importOutcomes(job.id)),
      jobs: jobs.map((job) => withoutMoment(job)),
      // The content filter's scores on every item, from the filter each path loaded.
      verdicts: [...opened.db.items()].map((item) =>
        opened.db
          .verdicts(item.id)
          .map(({ stage, modelId, modelWeightsSha256, scores, topClass }) => ({ stage, modelId, modelWeightsSha256, scores, topClass })),
      ),
    };
  } finally {
    opened.close();
  }
}

test('acsr case import and the import job record the same items, outcomes and job', { timeout: 120_000 }, async () => {
  const cli = await acsrInProcess(['case', 'import', '--case', join(root, 'by-cli'), '--in', inputs, '--examiner', 'bob']);
  assert.equal(cli.code, 0, cli.stderr);
  const job = await runAsJob('import', { caseFolder: join(root, 'by-job'), examiner: 'bob', work: { kind: 'new', sources: [inputs] } });
  assert.equal(job.state, 'completed', job.error ?? '');

  const [byCli, byJob] = [await recordsOf(join(root, 'by-cli')), await recordsOf(join(root, 'by-job'))];
  assert.equal(byCli.items.length, 3);
  assert.deepEqual(
    byCli.verdicts.map((verdicts) => verdicts.map((verdict) => verdict.modelId)),
    [['nsfwjs-mobilenet-v2'], ['nsfwjs-mobilenet-v2'], ['nsfwjs-mobilenet-v2']],
  );
  assert.deepEqual(byJob, byCli);
  assert.deepEqual(byCli.outcomes[0].map((outcome) => outcome.outcome).sort(), ['duplicate', 'error', 'imported', 'imported', 'imported']);
  assert.deepEqual(
    [job.summary?.caseJobId, job.summary?.imported, job.summary?.duplicates, job.summary?.errors, job.summary?.total],
    [cli.summary.jobId, cli.summary.imported, (cli.summary.duplicates as unknown[]).length, (cli.summary.errors as unknown[]).length, cli.summary.total],
  );
});

test('a resume with nothing to resume is refused with the same reason by both', { timeout: 60_000 }, async () => {
  const cli = await acsrInProcess(['case', 'import', '--case', join(root, 'by-cli'), '--resume', '--examiner', 'bob']);
  assert.equal(cli.code, 2);
  const job = await runAsJob('import', { caseFolder: join(root, 'by-job'), examiner: 'bob', work: { kind: 'resume', caseJobId: null } });
  assert.equal(job.state, 'failed');
  assert.match(cli.stderr, /no interrupted, cancelled or failed import to resume/);
  assert.equal(job.error, 'no interrupted, cancelled or failed import to resume');
});
