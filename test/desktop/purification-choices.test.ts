/**
 * The main side of purification's IPC surface, on a real workspace: bundles offered by id (the
 * shipped default and those trained into the workspace's bundles/), and a purify request whose
 * bundle, items or cluster are not the workstation's own refused before any worker starts; and the
 * starting values of the training and evaluation forms.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { DEFAULT_TRAINING_PARAMETERS } from '../../main/acsr/references/train-references.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { requestChannels } from '../../main/ipc/contract/index.ts';
import { DEFAULT_CLASSIFIER_ID } from '../../main/workstation/purification-catalogue.ts';
import { WorkstationService } from '../../main/workstation/workstation-service.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';
import { repoRoot } from '../support/shared-data.ts';

let root: string;
let service: WorkstationService;
let caseId: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'acsr-choices-'));
  service = new WorkstationService({ workspace: root, host: 'browser', nativeFolderDialog: false });
  await service.handlers['app.setExaminer']({ name: 'A. Jones' });
  caseId = (await service.handlers['cases.create']({ number: 'C-1', title: 'choices' })).caseId;
  const crop = await writePhotoCrop('skimage-chelsea.png', join(root, 'cat.png'), { left: 140, top: 50, size: 64 });
  await service.handlers['jobs.start']({ kind: 'import', caseId, sources: [crop] });
  await service.jobs.whenIdle();
});

after(async () => {
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

test('the default bundle and bundles trained into the workspace are offered by id, never by path', async () => {
  await mkdir(join(root, 'bundles'), { recursive: true });
  await cp(join(repoRoot, 'models', 'default-bundle'), join(root, 'bundles', 'in-house-2026'), { recursive: true });
  // A folder without a readable manifest is not offered.
  await mkdir(join(root, 'bundles', 'half-written'));
  await writeFile(join(root, 'bundles', 'half-written', 'manifest.json'), '{"format":');
  const choices = await service.handlers['purification.choices']({});
  assert.deepEqual(
    choices.bundles.map((bundle) => bundle.bundleId),
    ['default-bundle', 'trained:in-house-2026'],
  );
  assert.deepEqual(choices.bundles[0].clusterIds, ['neutral:0', 'neutral:1', 'porn:0', 'porn:1', 'sexy:0', 'sexy:1']);
  assert.equal(choices.defaultBundleId, 'default-bundle');
  // The identity a run records, so re-purifying a run finds the very same bundle.
  assert.equal(choices.bundles[0].manifestSha256, (await loadReferenceBundle(join(repoRoot, 'models', 'default-bundle'))).manifestSha256);
  assert.equal(choices.bundles[1].manifestSha256, choices.bundles[0].manifestSha256, 'a copy is the same bundle');
  assert.equal(choices.defaultClassifierId, 'nsfwjs-mobilenet-v2');
  assert.ok(choices.classifiers.some((choice) => choice.classifierId === 'nsfwjs-mobilenet-v2' && choice.classNames.includes('Neutral')));
  assert.ok(
    choices.bundles.every((bundle) => !('path' in bundle)),
    'no folder path travels to the renderer',
  );
});

test('a purify request naming an unknown bundle, item, cluster or classifier is refused before a worker starts', async () => {
  const start = service.handlers['jobs.start'];
  const queuedBefore = service.jobs.list().length;
  await assert.rejects(start({ kind: 'purify', caseId, itemIds: [2] }), UserInputError);
  await assert.rejects(start({ kind: 'purify', caseId, itemIds: [1], bundleId: 'trained:nope' }), /is not installed \(any more\): choose one from the list/);
  await assert.rejects(start({ kind: 'purify', caseId, itemIds: [1], override: { cluster: 'animal:0', reason: 'looks like a cat' } }), /not a cluster of/);
  await assert.rejects(start({ kind: 'purify', caseId, itemIds: [1], classifierId: 'no-such-filter' }), /is not registered: choose one from the list/);
  await assert.rejects(start({ kind: 'purify', caseId, resumeCaseJobId: 7 }), /not an unfinished purify job/);
  assert.equal(service.jobs.list().length, queuedBefore, 'nothing was queued');
});

test('a bundle whose tuning recommended another defense carries that sentence to the purify dialog; older bundles carry none', async () => {
  const folder = join(root, 'bundles', 'tuned-elsewhere');
  await cp(join(repoRoot, 'models', 'default-bundle'), folder, { recursive: true });
  const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
  const sentence = "On this bundle's 60 validation images, JPEG quality 50 protected the classifier as well as ACSR; it is recommended, being cheaper.";
  manifest.defenseComparison = { recommendation: { defense: 'jpeg50', label: 'JPEG quality 50', reason: 'not confirmed', sentence } };
  await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest));
  const choices = await service.handlers['purification.choices']({});
  assert.deepEqual(choices.bundles.find((bundle) => bundle.bundleId === 'trained:tuned-elsewhere')!.recommendation, { defense: 'jpeg50', sentence });
  // the shipped bundle was tuned with a comparison too (models/README.md)
  assert.equal(choices.bundles.find((bundle) => bundle.bundleId === 'default-bundle')!.recommendation?.defense, 'jpeg50');
  // a bundle from before comparisons existed carries none
  const older = join(root, 'bundles', 'from-before-comparisons');
  await cp(join(repoRoot, 'models', 'default-bundle'), older, { recursive: true });
  const olderManifest = JSON.parse(await readFile(join(older, 'manifest.json'), 'utf8'));
  delete olderManifest.defenseComparison;
  await writeFile(join(older, 'manifest.json'), JSON.stringify(olderManifest));
  const again = await service.handlers['purification.choices']({});
  assert.equal(again.bundles.find((bundle) => bundle.bundleId === 'trained:from-before-comparisons')!.recommendation, null);
});

test("the training and evaluation forms start from the values the main side falls back on, answered in the contract's shape", async () => {
  const training = await service.handlers['training.choices']({});
  requestChannels['training.choices'].output.parse(training);
  const d = DEFAULT_TRAINING_PARAMETERS;
  assert.deepEqual(training.defaults, {
    extractorId: DEFAULT_CLASSIFIER_ID,
    kMax: d.kMax,
    atoms: d.atoms,
    atomSize: d.atomSize,
    covariance: d.covariance,
    cdlIterations: d.cdlIterations,
    seed: d.seed,
  });
  assert.ok(
    training.extractors.some((choice) => choice.classifierId === training.defaults.extractorId),
    'the default extractor is one offered',
  );

  const evaluation = await service.handlers['evaluation.choices']({});
  requestChannels['evaluation.choices'].output.parse(evaluation);
  assert.equal(evaluation.defaultModelId, DEFAULT_CLASSIFIER_ID);
  assert.equal(evaluation.defaultBundleId, 'default-bundle');
  assert.ok(!evaluation.defenses.includes('single-dict'), 'single-dict needs training images only the command line can give');
});
