/**
 * The evasion score against an attacker who knows it, on held-out Fashion-MNIST TEST images (t10k;
 * the calibration was fitted on the bundle's validation split of the training images). Per budget
 * (normalised L2 dissimilarity, as `bim-dis:E` defines it), two attacks against the undefended
 * classifier:
 * - plain: `bim-dis:E` as the product's tables run it (untargeted, 100 sign steps);
 * - adaptive: the same loop, step size and budget, targeted at one wrong class (the class plain
 *   BIM reached where it succeeded, else the clean image's runner-up), on the classifier
 *   squeezerEnsemble (evasion-adaptive-attack.ts) builds: the cross-entropy towards that class is
 *   minimised on the image and on its squeezed versions at once (every squeezer the score uses:
 *   ACSR, JPEG 50, median 3x3, 1, 4, 3 and 2 bits), gradients through the squeezers by BPDA. ACSR purification inside the loop is recomputed every --acsr-every steps.
 * Reported per attack and budget: how often the undefended classifier is fooled, the score's AUC
 * and catch rates on the fooled images (against these clean test images), the share of images the
 * attacker wins outright (fooled and not flagged), and ACSR purification's accuracy on the attacked
 * images. Writes evasion-adaptive.json and evasion-adaptive.md into --out.
 *
 *   node --import tsx test/bench/evasion-adaptive.ts --bundle CALIBRATED --model ID --out DIR
 *     [--count 200] [--offset 0] [--budgets 0.04,0.08] [--steps 100] [--acsr-every 10] [--data DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAttackSpec } from '../../main/acsr/attacks/attack-spec.ts';
import type { AttackableClassifier, ImageBatch } from '../../main/acsr/attacks/attack-types.ts';
import { iterativeGradientAttack } from '../../main/acsr/attacks/iterative-gradient.ts';
import { perturbationSizes } from '../../main/acsr/attacks/perturbation-norms.ts';
import { iterativeSettings } from '../../main/acsr/attacks/pgd.ts';
import { predictedClasses } from '../../main/acsr/attacks/score-objectives.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { createBitDepthDefense } from '../../main/acsr/defenses/bit-depth-defense.ts';
import { createDefense } from '../../main/acsr/defenses/create-defense.ts';
import type { Defense } from '../../main/acsr/defenses/defense.ts';
import { batchFromImages, imagesFromBatch } from '../../main/acsr/evaluation/image-batch.ts';
import { calibrationPurification } from '../../main/acsr/evasion/calibrate-evasion.ts';
import { scoreEvasion } from '../../main/acsr/evasion/evasion-calibration.ts';
import { SQUEEZE_JPEG_QUALITY } from '../../main/acsr/evasion/evasion-signals.ts';
import { imageSignals } from '../../main/acsr/evasion/image-signals.ts';
import { loadLatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { sharedDir } from '../support/shared-data.ts';
import { defenseSqueezer, refreshedEvery, squeezerEnsemble } from './evasion-adaptive-attack.ts';
import { type AttackOutcome, adaptiveMarkdown, largestAndMean, summarise } from './evasion-adaptive-summary.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    model: { type: 'string' },
    data: { type: 'string', default: path.join(sharedDir, 'data/fashion-mnist') },
    count: { type: 'string', default: '200' },
    offset: { type: 'string', default: '0' },
    budgets: { type: 'string', default: '0.04,0.08' },
    steps: { type: 'string', default: '100' },
    'acsr-every': { type: 'string', default: '10' },
    batch: { type: 'string', default: '32' },
    out: { type: 'string' },
  },
});
if (!values.bundle || !values.model || !values.out) {
  console.error(
    'usage: evasion-adaptive.ts --bundle CALIBRATED_BUNDLE --model ID --out DIR [--count N] [--offset K] [--budgets 0.04,0.08] [--steps 100] [--acsr-every 10]',
  );
  process.exit(2);
}
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const bundle = await loadReferenceBundle(values.bundle);
const calibration = bundle.manifest.evasionCalibration;
if (!calibration) {
  console.error(`${values.bundle} has no evasion calibration (run acsr calibrate-evasion)`);
  process.exit(2);
}
if (calibration.jpegQuality !== SQUEEZE_JPEG_QUALITY)
  throw new RangeError(`the calibration squeezes with JPEG ${calibration.jpegQuality}, this attack with ${SQUEEZE_JPEG_QUALITY}`);
// narrowed once, for the report writer below
const fitted = calibration;
const outDir = values.out;
const count = Number(values.count);
const offset = Number(values.offset);
const steps = Number(values.steps);
const acsrEvery = Number(values['acsr-every']);
const batchSize = Number(values.batch);
const budgets = values.budgets.split(',').map(Number);
const test = await loadFashionMnist(values.data, 't10k', offset + count);
const images = test.images.slice(offset);
const labels = Array.from(test.labels.slice(offset));
const model = await loadTfImageModel(values.model);
const extractor = bundle.manifest.extractor.id === model.identity.id ? model : await loadLatentExtractor(bundle.manifest.extractor.id);
const purification = calibrationPurification(bundle, 1);
const acsr = await createDefense('acsr', { bundle, extractor, purification: { ...purification, clusterOverride: undefined } });
const cheapSqueezers: Defense[] = [await createDefense('jpeg50'), await createDefense('median3'), ...[1, 4, 3, 2].map((bits) => createBitDepthDefense(bits))];
try {
  // the image and its seven squeezed versions, a batch of 32 of each, go through the classifier in one pass
  const classifier = attackableImageModel(model, { batchSize: 256 });
  const classify = async (batch: ImageBatch) => predictedClasses(await classifier.scores(batch), classifier.classCount);
  const cleanScores = await classifier.scores(batchFromImages(images));
  const cleanLabels = predictedClasses(cleanScores, classifier.classCount);
  const pipeline = { bundle, extractor, classifier: model, purification, clusterDistances: calibration.clusterDistances, jpegQuality: calibration.jpegQuality };
  const score = async (batch: readonly ImageBatch[]) =>
    (
      await imageSignals(
        pipeline,
        batch.flatMap((b) => imagesFromBatch(b)),
      )
    ).map((signals) => ({ signals, score: scoreEvasion(calibration, signals).score }));
  const clean = await score([batchFromImages(images)]);
  console.log(`${count} clean test images scored, ${cleanLabels.filter((l, i) => l === labels[i]).length} classified right (${elapsed()})`);

  const outcomes: AttackOutcome[] = [];
  for (const epsilon of budgets) {
    const plainAttack = parseAttackSpec(`bim-dis:${epsilon}${steps === 100 ? '' : `:steps=${steps}`}`);
    const settings = iterativeSettings('dissimilarity', { epsilon, steps }, false);
    const plain: ImageBatch[] = [];
    const adaptive: ImageBatch[] = [];
    for (let start = 0; start < count; start += batchSize) {
      const end = Math.min(count, start + batchSize);
      const batch = batchFromImages(images.slice(start, end));
      const batchLabels = labels.slice(start, end);
      const plainResult = await plainAttack.run({ classifier, images: batch, labels: batchLabels });
      plain.push(plainResult.adversarial);
      const runnerUp = (n: number) =>
        runnerUpClass(cleanScores.subarray((start + n) * classifier.classCount, (start + n + 1) * classifier.classCount), batchLabels[n]);
      const targets = plainResult.records.map((r, n) => (r.adversarialLabel !== batchLabels[n] ? r.adversarialLabel : runnerUp(n)));
      const ensemble: AttackableClassifier = squeezerEnsemble(classifier, [
        refreshedEvery(defenseSqueezer(acsr), acsrEvery),
        ...cheapSqueezers.map(defenseSqueezer),
      ]);
      const adaptiveResult = await iterativeGradientAttack(settings, { classifier: ensemble, images: batch, labels: batchLabels, targets });
      adaptive.push(adaptiveResult.adversarial);
      console.log(`budget ${epsilon}: images ${start + 1}-${end} attacked, plain and adaptive (${elapsed()})`);
    }
    for (const [kind, batches] of [
      ['plain', plain],
      ['adaptive', adaptive],
    ] as const) {
      const attacked = batches.flatMap((b) => imagesFromBatch(b));
      const verdicts = await classify(batchFromImages(attacked));
      const fooled = attacked.flatMap((_, i) => (cleanLabels[i] === labels[i] && verdicts[i] !== labels[i] ? [i] : []));
      const scored = fooled.length === 0 ? [] : await score([batchFromImages(fooled.map((i) => attacked[i]))]);
      const purifiedVerdicts = await classify(await defenseSqueezer(acsr).squeeze(batchFromImages(attacked)));
      const name = kind === 'plain' ? plainAttack.name : `adaptive-bim-dis:${epsilon}`;
      outcomes.push({
        attack: name,
        kind,
        epsilon,
        images: count,
        cleanCorrect: cleanLabels.filter((l, i) => l === labels[i]).length,
        fooled: fooled.map((i, k) => ({ index: offset + i, label: labels[i], adversarialLabel: verdicts[i], ...scored[k] })),
        acsrCorrect: purifiedVerdicts.filter((v, i) => v === labels[i]).length,
        dissimilarity: largestAndMean(perturbationSizes(batchFromImages(images), batchFromImages(attacked)).map((p) => p.dissimilarity)),
      });
      console.log(`${name}: ${fooled.length} fooled, scored, purified (${elapsed()})`);
    }
    // written after every budget, so that a long run stopped early still leaves its figures
    await writeReport();
  }
  async function writeReport() {
    const summary = summarise(
      clean.map((c) => c.score),
      outcomes,
      fitted,
    );
    const report = {
      bundle: { path: values.bundle, manifestSha256: bundle.manifestSha256 },
      model: model.identity.id,
      data: `Fashion-MNIST t10k images ${offset}..${offset + count - 1}`,
      settings: {
        steps,
        stepSize: 'Madry rule: 2.5 x budget / steps',
        acsrEvery,
        batchSize,
        targets: 'plain BIM label where it succeeded, else the clean runner-up',
      },
      calibration: {
        threshold: fitted.threshold,
        falsePositiveTarget: fitted.falsePositiveTarget,
        signals: fitted.signals,
        fittedOn: fitted.data,
      },
      seconds: (performance.now() - started) / 1000,
      summary,
      clean: clean.map((c, i) => ({ index: offset + i, label: labels[i], predicted: cleanLabels[i], ...c })),
      outcomes,
    };
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, 'evasion-adaptive.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(outDir, 'evasion-adaptive.md'), adaptiveMarkdown(summary, report.data, report.seconds));
    console.log(adaptiveMarkdown(summary, report.data, report.seconds));
  }
} finally {
  await acsr.dispose();
  for (const squeezer of cheapSqueezers) await squeezer.dispose();
  if (extractor !== model) extractor.dispose();
  model.dispose();
}

/** The highest-scoring class other than `label`. */
function runnerUpClass(scores: ArrayLike<number>, label: number): number {
  let best = -1;
  for (let k = 0; k < scores.length; k++) if (k !== label && (best < 0 || scores[k] > scores[best])) best = k;
  return best;
}
