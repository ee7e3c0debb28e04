/**
 * `acsr train-robust` as a user runs it (child processes, a throw-away model cache), on a small
 * stage-i bundle of real Fashion-MNIST images made by `acsr train --train-baseline`:
 * - f_rob is saved, registered under its weight hash, and a NEW bundle names it as extractor while
 *   the input bundle stays byte for byte the same; the new bundle loads (every hash checked) and
 *   `acsr purify --bundle NEW` selects its cluster with f_rob;
 * - an existing --out, or earlier checkpoints without --resume, are refused before training;
 *   --resume after a finished epoch continues from its checkpoint and reproduces the same f_rob.
 * Sizes are small (256 training images, 2 PGD steps, 40 held-out images) to keep it short.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { localRegistryFile } from '../../main/acsr/models/local-model-registry.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { sha256Hex } from '../../main/io/hashing.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { encodePng } from '../../main/io/image.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'acsr-train-robust-'));
const cache = path.join(scratch, 'cache');
const stageOne = path.join(scratch, 'bundle');
after(() => rmSync(scratch, { recursive: true, force: true }));

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, ACSR_CACHE_DIR: cache },
  });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, summary: lastLine.startsWith('{') ? JSON.parse(lastLine) : undefined };
}

const robustArgs = (out: string, extra: string[] = []) => [
  'train-robust',
  '--bundle',
  stageOne,
  '--data',
  fashionMnistDir,
  '--limit',
  '256',
  '--epochs',
  '1',
  '--pgd-steps',
  '2',
  '--alpha',
  '0.5',
  '--out',
  out,
  ...extra,
];

before(() => {
  const made = acsr([
    'train',
    '--train-baseline',
    '--data',
    fashionMnistDir,
    '--baseline-images',
    '1000',
    '--baseline-epochs',
    '1',
    '--limit',
    '200',
    '--out',
    stageOne,
    '--k',
    '1',
    '--atoms',
    '4',
    '--cdl-iterations',
    '2',
    '--max-patches-per-cluster',
    '4',
  ]);
  assert.equal(made.code, 0, made.stderr);
});

test('train-robust registers f_rob and writes a new bundle naming it; the input bundle is untouched; purify uses f_rob', async () => {
  const manifestBefore = sha256Hex(readFileSync(path.join(stageOne, 'manifest.json')));
  const out = path.join(scratch, 'robust');
  const result = acsr(robustArgs(out, ['--eval-images', '40']));
  assert.equal(result.code, 0, result.stderr);
  const { model, history, evaluation, clusterAssignment } = result.summary;
  // the bundle clustered the first 200 images less its validation split; those held-out images are
  // left out of stage ii (the tuning step measures on them), the other 56 are assigned by distance under f_bsl
  const { validation } = JSON.parse(readFileSync(path.join(stageOne, 'manifest.json'), 'utf8'));
  assert.ok(validation.imageCount > 0);
  assert.deepEqual(clusterAssignment, { fromMembers: 200 - validation.imageCount, byDistance: 56 });
  assert.equal(history.length, 1);
  assert.ok(Number.isFinite(history[0].meanDistance) && history[0].meanDistance > 0);
  assert.equal(evaluation.images, 40);
  for (const figures of [evaluation.baseline, evaluation.robust]) {
    for (const key of ['cleanAccuracy', 'pgdAccuracy', 'clusterAgreement']) assert.ok(figures[key] >= 0 && figures[key] <= 1, key);
  }

  assert.equal(sha256Hex(readFileSync(path.join(stageOne, 'manifest.json'))), manifestBefore, 'the input bundle is never changed');
  const stageOneManifest = JSON.parse(readFileSync(path.join(stageOne, 'manifest.json'), 'utf8'));
  const robust = await loadReferenceBundle(out);
  assert.equal(robust.manifest.extractor.id, model.id);
  assert.equal(robust.manifest.extractor.weightSha256, model.weightSha256);
  assert.deepEqual(robust.manifest.files, stageOneManifest.files, 'clusters and dictionaries are those of stage i');
  const raw = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.equal(raw.robustTraining.stageOneExtractor.id, stageOneManifest.extractor.id);
  assert.equal(raw.robustTraining.sourceBundle.manifestSha256, manifestBefore);
  const registry = JSON.parse(readFileSync(localRegistryFile(path.join(cache, 'models')), 'utf8'));
  assert.ok(registry.models.some((m: { id: string; weightSha256: string }) => m.id === model.id && m.weightSha256 === model.weightSha256));

  const { images } = await loadFashionMnist(fashionMnistDir, 't10k', 1);
  const png = path.join(scratch, 'fm-test-0.png');
  writeFileSync(png, await encodePng({ ...images[0], channels: 1 }));
  const purified = acsr(['purify', '--bundle', out, '--in', png, '--out', path.join(scratch, 'purified')]);
  assert.equal(purified.code, 0, purified.stderr);
  const record = JSON.parse(readFileSync(path.join(scratch, 'purified', 'fm-test-0.purification.json'), 'utf8'));
  assert.equal(record.bundle.extractor, model.id);
});

test('an existing --out and leftover checkpoints are refused before training; --resume continues and reproduces f_rob', () => {
  const first = path.join(scratch, 'first');
  const made = acsr(robustArgs(first));
  assert.equal(made.code, 0, made.stderr);

  const again = acsr(robustArgs(first));
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);

  const second = path.join(scratch, 'second');
  const checkpoints = ['--checkpoints', `${first}.checkpoints`];
  const refused = acsr(robustArgs(second, checkpoints));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--resume/);

  const resumed = acsr(robustArgs(second, [...checkpoints, '--resume']));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.summary.resumedAfter, 1);
  assert.equal(resumed.summary.model.weightSha256, made.summary.model.weightSha256);
});

test('adopt-robust: a stage-i bundle learned again with other dictionaries takes f_rob; other clusters are refused, naming why', async () => {
  const robust = path.join(scratch, 'first');
  if (!existsSync(robust)) assert.equal(acsr(robustArgs(robust)).code, 0);
  const stageOneManifest = JSON.parse(readFileSync(path.join(stageOne, 'manifest.json'), 'utf8'));
  // the same images, extractor and seed, other dictionaries: the clusters come out the same
  const relearned = path.join(scratch, 'relearned');
  const made = acsr([
    'train',
    '--extractor',
    stageOneManifest.extractor.id,
    '--data',
    fashionMnistDir,
    '--limit',
    '200',
    '--out',
    relearned,
    '--k',
    '1',
    '--atoms',
    '6',
    '--cdl-iterations',
    '2',
    '--max-patches-per-cluster',
    '4',
  ]);
  assert.equal(made.code, 0, made.stderr);
  const relearnedBytes = sha256Hex(readFileSync(path.join(relearned, 'manifest.json')));

  const adopted = path.join(scratch, 'adopted');
  const result = acsr(['adopt-robust', '--bundle', relearned, '--from', robust, '--out', adopted]);
  assert.equal(result.code, 0, result.stderr);
  const robustManifest = JSON.parse(readFileSync(path.join(robust, 'manifest.json'), 'utf8'));
  const bundle = await loadReferenceBundle(adopted);
  assert.deepEqual(bundle.manifest.extractor, robustManifest.extractor, "f_rob chooses the adopting bundle's clusters");
  assert.equal(bundle.clusters[0].dictionary.atoms, 6, 'the dictionaries are the relearned ones');
  const relearnedManifest = JSON.parse(readFileSync(path.join(relearned, 'manifest.json'), 'utf8'));
  assert.deepEqual(bundle.manifest.files, relearnedManifest.files);
  assert.notDeepEqual(relearnedManifest.files, stageOneManifest.files);
  const raw = JSON.parse(readFileSync(path.join(adopted, 'manifest.json'), 'utf8'));
  assert.equal(raw.robustTraining.adoptedFrom.manifestSha256, sha256Hex(readFileSync(path.join(robust, 'manifest.json'))));
  assert.equal(raw.robustTraining.sourceBundle.manifestSha256, relearnedBytes);
  assert.equal(sha256Hex(readFileSync(path.join(relearned, 'manifest.json'))), relearnedBytes, 'the adopting bundle is never changed');

  const again = acsr(['adopt-robust', '--bundle', relearned, '--from', robust, '--out', adopted]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);
  const notRobust = acsr(['adopt-robust', '--bundle', relearned, '--from', stageOne, '--out', path.join(scratch, 'not-robust')]);
  assert.equal(notRobust.code, 2);
  assert.match(notRobust.stderr, /not written by stage ii/);

  // a bundle whose clusters differ (one mean moved, its hash recorded: a valid bundle of other clusters)
  const moved = path.join(scratch, 'moved');
  cpSync(relearned, moved, { recursive: true });
  const meanFile = Object.keys(relearnedManifest.files).find((file) => file.endsWith('/mean.npy'))!;
  const bytes = readFileSync(path.join(moved, meanFile));
  bytes[bytes.length - 1] ^= 0x01;
  writeFileSync(path.join(moved, meanFile), bytes);
  writeFileSync(
    path.join(moved, 'manifest.json'),
    JSON.stringify({ ...relearnedManifest, files: { ...relearnedManifest.files, [meanFile]: sha256Hex(bytes) } }, null, 2),
  );
  const refused = acsr(['adopt-robust', '--bundle', moved, '--from', robust, '--out', path.join(scratch, 'refused')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /cluster means or precisions differ/);
  assert.ok(!existsSync(path.join(scratch, 'refused')), 'nothing written on a refusal');
});
