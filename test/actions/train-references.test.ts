/**
 * The train action through `acsr train` and through the job runner, on real Fashion-MNIST images
 * with the shipped baseline CNN as extractor (few images, tiny dictionaries): both write the same
 * bundle (the manifest, every file's hash in it, is equal), and the job also shows each class's
 * elbow curve, each cluster's atoms and the specificity check as they come.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MANIFEST_FILE } from '../../main/acsr/references/bundle-manifest.ts';
import { makeTempDir, removeTempDir } from '../case/case-fixtures.ts';
import { fashionMnistDir } from '../support/shared-data.ts';
import { acsrInProcess, runAsJob } from './action-fixtures.ts';

const EXTRACTOR = 'fmnist-baseline-cnn-b25dc5da0ce9';
let root: string;

before(async () => {
  root = await makeTempDir('train-action');
});

after(async () => {
  await removeTempDir(root);
});

test('acsr train and the train job write the same bundle', { timeout: 300_000 }, async () => {
  const cli = await acsrInProcess([
    'train',
    '--data',
    fashionMnistDir,
    '--limit',
    '60',
    '--extractor',
    EXTRACTOR,
    '--out',
    join(root, 'by-cli'),
    '--k',
    '1',
    '--atoms',
    '4',
    '--atom-size',
    '4',
    '--patch-size',
    '12',
    '--patches-per-image',
    '1',
    '--max-patches-per-cluster',
    '4',
    '--cdl-iterations',
    '2',
    '--validation-fraction',
    '0.2',
    '--specificity-images',
    '2',
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const job = await runAsJob('train', {
    data: fashionMnistDir,
    limit: 60,
    extractor: { kind: 'registered', id: EXTRACTOR },
    out: join(root, 'by-job'),
    training: {
      fixedK: 1,
      atoms: 4,
      atomSize: 4,
      patchSize: 12,
      patchesPerImage: 1,
      maxPatchesPerCluster: 4,
      cdlIterations: 2,
      validationFraction: 0.2,
      specificityImagesPerClass: 2,
    },
  });
  assert.equal(job.state, 'completed', job.error ?? '');

  const manifestOf = async (bundle: string) =>
    JSON.parse(await readFile(join(root, bundle, MANIFEST_FILE), 'utf8')) as { classes: { name: string; wcss: number[]; clusters: { id: string }[] }[] };
  const [byCli, byJob] = [await manifestOf('by-cli'), await manifestOf('by-job')];
  assert.equal(byCli.classes.length, 10);
  assert.deepEqual(byJob, byCli);
  assert.deepEqual(
    [job.summary?.datasetSha256, job.summary?.clusters],
    [cli.summary.datasetSha256, byCli.classes.flatMap((cls) => cls.clusters.map((cluster) => cluster.id))],
  );

  const kinds = job.outputs.map((output) => output.type);
  assert.deepEqual(
    job.outputs.flatMap((output) => (output.type === 'wcss' ? [[output.className, output.wcss]] : [])),
    byCli.classes.map((cls) => [cls.name, cls.wcss]),
  );
  assert.equal(kinds.filter((kind) => kind === 'atoms').length, 10);
  assert.equal(kinds.filter((kind) => kind === 'specificity').length, 1);
});
