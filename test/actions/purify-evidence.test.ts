/**
 * The purify action through `acsr case purify` and through the job runner: the same real photo
 * crop in two real case folders, a reference bundle trained for real (tiny), real CBPDN (a few
 * iterations) and the real classifier. Both record the same purification run (output hash, PDQ,
 * cluster, distances, parameters; timings apart), the same verdicts and the same job.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import type { ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeTempDir, removeTempDir } from '../case/case-fixtures.ts';
import { trainTinyBundle, writePhotoCrop } from '../case/report-fixtures.ts';
import { acsrInProcess, runAsJob, withoutMoment } from './action-fixtures.ts';

let root: string;
let bundle: ReferenceBundle;

before(async () => {
  root = await makeTempDir('purify-action');
  const model = await loadTfImageModel('nsfwjs-mobilenet-v2');
  try {
    bundle = await trainTinyBundle(root, model);
  } finally {
    model.dispose();
  }
  const crops = [
    await writePhotoCrop('skimage-chelsea.png', join(root, 'cat.png'), { left: 150, top: 60, size: 64 }),
    await writePhotoCrop('skimage-brick.png', join(root, 'brick.png'), { left: 100, top: 100, size: 64 }),
  ];
  for (const name of ['by-cli', 'by-job']) {
    const created = await CaseFolder.create(join(root, name), { number: 'P-1', title: 'purify', examiner: 'alice' });
    await created.importEvidence(crops, { examiner: 'alice' });
    created.close();
  }
});

after(async () => {
  await removeTempDir(root);
});

async function recordsOf(folder: string) {
  const opened = await CaseFolder.open(folder);
  try {
    const itemIds = [...opened.db.items()].map((item) => item.id);
    return {
      runs: itemIds.map((itemId) => opened.db.purificationRuns(itemId).map((run) => withoutMoment(run))),
      verdicts: itemIds.map((itemId) => opened.db.verdicts(itemId).map((verdict) => withoutMoment(verdict))),
      jobs: opened.db.jobs({ kind: 'purify' }).map((job) => withoutMoment(job)),
    };
  } finally {
    opened.close();
  }
}

test('acsr case purify and the purify job record the same runs, verdicts and job', { timeout: 300_000 }, async () => {
  const cli = await acsrInProcess([
    'case',
    'purify',
    '--case',
    join(root, 'by-cli'),
    '--all',
    '--bundle',
    bundle.path,
    '--classifier',
    'nsfwjs-mobilenet-v2',
    '--cluster',
    'texture:0',
    '--reason',
    'compare the paths',
    '--examiner',
    'bob',
    '--max-iterations',
    '5',
    '--threads',
    '1',
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const job = await runAsJob('purify', {
    caseFolder: join(root, 'by-job'),
    examiner: 'bob',
    work: {
      kind: 'new',
      items: 'all',
      bundlePath: bundle.path,
      classifierId: 'nsfwjs-mobilenet-v2',
      override: { cluster: 'texture:0', reason: 'compare the paths' },
      options: { maxIterations: 5, threads: 1 },
    },
  });
  assert.equal(job.state, 'completed', job.error ?? '');

  const [byCli, byJob] = [await recordsOf(join(root, 'by-cli')), await recordsOf(join(root, 'by-job'))];
  assert.deepEqual(
    byCli.runs.map((runs) => runs.length),
    [1, 1],
  );
  assert.deepEqual(
    byCli.verdicts.map((verdicts) => verdicts.map((verdict) => verdict.stage)),
    [
      ['before', 'after'],
      ['before', 'after'],
    ],
  );
  assert.deepEqual(byJob, byCli);
  const cliRuns = cli.summary.runs as { itemId: number; runId: number; pdqDistance: number }[];
  const jobRuns = job.summary?.runs as { itemId: number; runId: number; pdqDistance: number; evasion: unknown }[];
  assert.deepEqual(
    jobRuns.map(({ itemId, runId, pdqDistance }) => ({ itemId, runId, pdqDistance })),
    cliRuns.map(({ itemId, runId, pdqDistance }) => ({ itemId, runId, pdqDistance })),
  );
  // the test bundle carries no evasion calibration: no score on either side
  assert.deepEqual(
    jobRuns.map((run) => run.evasion),
    jobRuns.map(() => null),
  );
});

test('a resume with nothing to resume is refused with the same reason by both', { timeout: 60_000 }, async () => {
  const cli = await acsrInProcess(['case', 'purify', '--case', join(root, 'by-cli'), '--resume', '--examiner', 'bob']);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /no interrupted, cancelled or failed purify job to resume/);
  const job = await runAsJob('purify', { caseFolder: join(root, 'by-job'), examiner: 'bob', work: { kind: 'resume', caseJobId: null } });
  assert.equal(job.state, 'failed');
  assert.equal(job.error, 'no interrupted, cancelled or failed purify job to resume');
});
