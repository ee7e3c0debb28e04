/**
 * The import's classify step on the shared photos with the real content filter (nsfwjs
 * MobileNetV2, loaded from the model registry with its weights checked): every imported item gets
 * one verdict on its evidence with every class probability, the model id and the weights hash,
 * recorded with an audit entry, so the case still verifies; the thumbnail the filter sees at import
 * gives the verdicts the filter gives on the full photo; the filter as the import job loads it (on
 * its own thread, folded for scoring) gives the scores of the registered model on the same
 * thumbnails; a cancelled import's resumed run scores exactly the items that were not scored yet.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { softmaxRows } from '../../main/acsr/attacks/score-objectives.ts';
import { loadImageClassifier, type ImageClassifier } from '../../main/acsr/models/latent-extractor.ts';
import { findModelEntry, loadModelRegistry } from '../../main/acsr/models/model-registry.ts';
import { loadImageClassifierInWorker } from '../../main/acsr/models/worker-image-classifier.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeFilterThumbnail } from '../../main/case/filter-thumbnail.ts';
import { readImage } from '../../main/io/image.ts';
import { CancelledError, ProgressReporter } from '../../main/progress/progress.ts';
import { copyPhotos, makeTempDir, removeTempDir, writeDistinctCopies } from './case-fixtures.ts';

const FILTER_ID = 'nsfwjs-mobilenet-v2';

let root: string;
let classifier: ImageClassifier;
before(async () => {
  root = await makeTempDir('filter-scores');
  classifier = await loadImageClassifier(FILTER_ID);
});
after(async () => {
  classifier?.dispose();
  await removeTempDir(root);
});

describe('an import with the content filter', () => {
  let caseFolder: CaseFolder;
  let photos: string[];

  before(async () => {
    photos = await copyPhotos(join(root, 'photos'));
    caseFolder = await CaseFolder.create(join(root, 'case'), { number: 'F-1', title: 'filter scores', examiner: 'alice' });
  });
  after(() => caseFolder?.close());

  it('records one verdict per item with every class probability, the model and its weights hash', async () => {
    const summary = await caseFolder.importEvidence([join(root, 'photos')], { examiner: 'alice', classifier });
    assert.equal(summary.imported, photos.length);
    assert.deepEqual(summary.filter, { modelId: FILTER_ID, classified: photos.length, problems: [] });

    const entry = findModelEntry(loadModelRegistry(), FILTER_ID);
    for (const item of caseFolder.db.items()) {
      const verdicts = caseFolder.db.verdicts(item.id);
      assert.equal(verdicts.length, 1, item.originalName);
      const [verdict] = verdicts;
      assert.equal(verdict.stage, 'before');
      assert.equal(verdict.purificationRunId, null);
      assert.equal(verdict.modelId, FILTER_ID);
      assert.equal(verdict.modelWeightsSha256, entry.weightSha256);
      assert.deepEqual(Object.keys(verdict.scores).sort(), [...entry.classNames].sort());
      const total = Object.values(verdict.scores).reduce((sum, value) => sum + value, 0);
      assert.ok(Math.abs(total - 1) < 1e-9, `${item.originalName}: probabilities sum to ${total}`);
      const best = Object.entries(verdict.scores).reduce((top, next) => (next[1] > top[1] ? next : top));
      assert.equal(verdict.topClass, best[0]);
    }
    const classifyEntries = [...caseFolder.db.auditRows()].filter((row) => row.action === 'classify');
    assert.equal(classifyEntries.length, photos.length);
    assert.ok((await caseFolder.verify({ examiner: 'alice' })).ok, 'the case verifies with the scores in it');
  });

  it('gives the verdicts the filter gives on the full photo (its own resize)', async () => {
    let sameTopClass = 0;
    let largestShift = 0;
    for (const item of caseFolder.db.items()) {
      const [verdict] = caseFolder.db.verdicts(item.id);
      const full = await readImage(join(root, 'photos', item.originalName), { channels: 'rgb', precision: 'float32' });
      const [logits] = await classifier.scores([full]);
      const probabilities = softmaxRows(logits, classifier.classNames.length);
      const fullScores = Object.fromEntries(classifier.classNames.map((name, k) => [name, probabilities[k]]));
      const fullTop = classifier.classNames[probabilities.indexOf(Math.max(...probabilities))];
      if (fullTop === verdict.topClass) sameTopClass++;
      for (const name of classifier.classNames) largestShift = Math.max(largestShift, Math.abs(fullScores[name] - verdict.scores[name]));
    }
    // The thumbnail is resampled with an antialiasing filter, the full photo with the model's
    // plain bilinear resize, so the numbers differ a little; the verdicts must not.
    assert.ok(sameTopClass >= photos.length - 2, `same top class on ${sameTopClass} of ${photos.length} photos`);
    assert.ok(largestShift < 0.5, `largest probability shift ${largestShift}`);
  });
});

describe('an import with the content filter as the import job loads it', () => {
  /** Largest probability difference allowed: float32 rounding in the folded network (observed ~1e-6). */
  const PROBABILITY_TOLERANCE = 1e-4;
  let caseFolder: CaseFolder;
  let fast: ImageClassifier;
  before(async () => {
    fast = await loadImageClassifierInWorker(FILTER_ID, { scoringOnly: true });
    caseFolder = await CaseFolder.create(join(root, 'case-fast'), { number: 'F-3', title: 'fast filter', examiner: 'alice' });
  });
  after(() => {
    fast?.dispose();
    caseFolder?.close();
  });

  it('records the scores the registered model gives on the same thumbnails, for every photo', { timeout: 300_000 }, async () => {
    const photos = await copyPhotos(join(root, 'photos-fast'));
    const summary = await caseFolder.importEvidence([join(root, 'photos-fast')], { examiner: 'alice', classifier: fast });
    assert.equal(summary.filter?.classified, photos.length);
    let largestShift = 0;
    for (const item of caseFolder.db.items()) {
      const [verdict] = caseFolder.db.verdicts(item.id);
      // The old way: the thumbnail the import makes, through the model as registered, on this thread.
      const thumbnail = await makeFilterThumbnail(join(root, 'photos-fast', item.originalName), { width: 224, height: 224 });
      const data = Float32Array.from(thumbnail.rgb, (value) => value / 255);
      const [logits] = await classifier.scores([{ height: thumbnail.height, width: thumbnail.width, channels: 3, data }]);
      const probabilities = softmaxRows(logits, classifier.classNames.length);
      classifier.classNames.forEach((name, k) => (largestShift = Math.max(largestShift, Math.abs(probabilities[k] - verdict.scores[name]))));
    }
    assert.ok(largestShift < PROBABILITY_TOLERANCE, `largest probability difference ${largestShift}`);
  });
});

describe('a cancelled import with the content filter, resumed', () => {
  it('scores on resume exactly the items that have no scores yet, once each', { timeout: 300_000 }, async () => {
    const input = join(root, 'copies');
    await writeDistinctCopies(input, 3);
    const caseFolder = await CaseFolder.create(join(root, 'case-resumed'), { number: 'F-2', title: 'resumed', examiner: 'alice' });
    try {
      const controller = new AbortController();
      // Stopped after 21 files: one batch of 16 scored, the next one waiting.
      const progress = new ProgressReporter((event) => {
        if (event.stage === 'import' && Math.round(event.fraction * 60) >= 21) controller.abort();
      });
      await assert.rejects(caseFolder.importEvidence([input], { examiner: 'alice', classifier, progress, signal: controller.signal }), CancelledError);
      const importedFirst = [...caseFolder.db.items()].length;
      const scoredFirst = [...caseFolder.db.items()].filter((item) => caseFolder.db.verdicts(item.id).length > 0).length;
      assert.ok(importedFirst > 0 && importedFirst < 60, `imported before the cancel: ${importedFirst}`);
      // Batches of 16: the items of the batch that was waiting when the import stopped have no scores.
      assert.ok(scoredFirst < importedFirst, `scored ${scoredFirst} of ${importedFirst} before the cancel`);

      const resumed = await caseFolder.resumeImport({ examiner: 'alice', classifier });
      assert.equal(resumed.imported, 60);
      assert.equal(resumed.filter?.classified, 60 - scoredFirst);
      for (const item of caseFolder.db.items()) assert.equal(caseFolder.db.verdicts(item.id).length, 1, item.originalName);
      assert.ok((await caseFolder.verify({ examiner: 'alice' })).ok);
    } finally {
      caseFolder.close();
    }
  });
});
