/**
 * The evasion score's detection quality on held-out images: the Fashion-MNIST TEST images (t10k,
 * the default; the calibration was fitted on the bundle's validation split of the training
 * images, so none of these was seen) or a labelled folder of held-out images (one sub-folder per
 * class, named as the classifier's classes; read as `acsr eval --data DIR` reads it, classes
 * interleaved): per attack, ROC curve, AUC, true-positive rate at 1 % and 5 % false positives,
 * and the rates at the bundle's calibrated threshold. Writes evasion-roc.json and evasion-roc.png
 * into --out. Only successful attacks (image right when clean, wrong after) count as attacked.
 *
 *   node --import tsx test/bench/evasion-roc.ts --bundle CALIBRATED --model ID [--data DIR]
 *     [--clean 1000] [--batch-size 32] [--offset 0] [--attacks fgsm-dis:0.08,deepfool-dis:0.04] [--seed 0] --out DIR
 *     [--signals-out FILE]   (every image's signals, all of them, and the attack counts)
 *     [--signals-in FILE]    (score the images of an earlier --signals-out with this bundle's calibration:
 *                             no attacks and no purification; the stored signals are what the product
 *                             computed, so the figures are those a full run gives with this calibration)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAttackSpecs } from '../../main/acsr/attacks/attack-spec.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadEvaluationSamples } from '../../main/acsr/evaluation/evaluation-samples.ts';
import { isFashionMnistFolder } from '../../main/acsr/references/labelled-images.ts';
import { attackedSet } from '../../main/acsr/evasion/attacked-images.ts';
import { calibrationPurification } from '../../main/acsr/evasion/calibrate-evasion.ts';
import { detectionQuality, rocPng } from '../../main/acsr/evasion/detection-quality.ts';
import { scoreEvasion } from '../../main/acsr/evasion/evasion-calibration.ts';
import { imageSignals } from '../../main/acsr/evasion/image-signals.ts';
import { type EvasionSignals, SIGNAL_NAMES } from '../../main/acsr/evasion/evasion-signals.ts';
import { rocAuc } from '../../main/acsr/evasion/roc.ts';
import { loadLatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { sharedDir } from '../support/shared-data.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    model: { type: 'string' },
    data: { type: 'string', default: path.join(sharedDir, 'data/fashion-mnist') },
    clean: { type: 'string', default: '1000' },
    offset: { type: 'string', default: '0' },
    attacks: { type: 'string', default: 'fgsm-dis:0.08,deepfool-dis:0.04' },
    seed: { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '32' },
    out: { type: 'string' },
    'signals-out': { type: 'string' },
    'signals-in': { type: 'string' },
  },
});
if (!values.bundle || !values.model || !values.out) {
  console.error(
    'usage: evasion-roc.ts --bundle CALIBRATED_BUNDLE --model ID --out DIR [--clean N] [--offset K] [--attacks SPECS] [--data FASHION_MNIST_DIR|LABELLED_FOLDER] [--batch-size N] [--signals-out FILE | --signals-in FILE]',
  );
  process.exit(2);
}
const started = performance.now();
const bundle = await loadReferenceBundle(values.bundle);
const calibration = bundle.manifest.evasionCalibration;
if (!calibration) {
  console.error(`${values.bundle} has no evasion calibration (run acsr calibrate-evasion)`);
  process.exit(2);
}
interface SignalDump {
  readonly model: string;
  readonly data: string;
  readonly plotTitle: string;
  readonly attackCounts: Record<string, { attacked: number; successful: number }>;
  readonly clean: { name: string; signals: EvasionSignals }[];
  readonly attacked: { attack: string; name: string; signals: EvasionSignals }[];
}

/** The held-out images attacked, purified and turned into signals, exactly as the product does. */
async function measureSignals(modelId: string, evasion: NonNullable<typeof calibration>): Promise<SignalDump> {
  const count = Number(values.clean);
  const offset = Number(values.offset);
  const model = await loadTfImageModel(modelId);
  // Fashion-MNIST: its t10k split; a folder: its images with classes interleaved (as acsr eval takes them)
  const fashionMnist = await isFashionMnistFolder(values.data);
  const test = await loadEvaluationSamples(values.data, model.classNames, bundle.manifest.channels, offset + count);
  const extractor = bundle.manifest.extractor.id === model.identity.id ? model : await loadLatentExtractor(bundle.manifest.extractor.id);
  try {
    const samples = test.samples.slice(offset);
    const dataName = fashionMnist ? 'Fashion-MNIST t10k' : `labelled folder ${values.data}`;
    const classifier = attackableImageModel(model, { batchSize: 256 });
    const attacked = await attackedSet({
      samples,
      attacks: parseAttackSpecs(values.attacks),
      classifier,
      batchSize: Number(values['batch-size']),
      seed: Number(values.seed),
    });
    console.log(
      `attacked: ${Object.entries(attacked.counts)
        .map(([name, c]) => `${name} ${c.successful}/${c.attacked} successful`)
        .join(', ')}`,
    );
    const pipeline = {
      bundle,
      extractor,
      classifier: model,
      purification: calibrationPurification(bundle, 1),
      clusterDistances: evasion.clusterDistances,
      jpegQuality: evasion.jpegQuality,
    };
    let done = 0;
    const total = samples.length + attacked.examples.length;
    const onImage = () => {
      if (++done % 50 === 0) console.log(`${done}/${total} images purified (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    };
    const cleanSignals = await imageSignals(
      pipeline,
      samples.map((s) => s.image),
      { onImage },
    );
    const attackedSignals = await imageSignals(
      pipeline,
      attacked.examples.map((e) => e.image),
      { onImage },
    );
    return {
      model: model.identity.id,
      data: `${dataName} images ${offset}..${offset + samples.length - 1}`,
      plotTitle: `${fashionMnist ? 'Fashion-MNIST test' : path.basename(path.resolve(values.data))}, ${samples.length} clean`,
      attackCounts: attacked.counts,
      clean: samples.map((s, i) => ({ name: s.name, signals: cleanSignals[i] })),
      attacked: attacked.examples.map((e, i) => ({ attack: e.attack, name: e.name, signals: attackedSignals[i] })),
    };
  } finally {
    if (extractor !== model) extractor.dispose();
    model.dispose();
  }
}

const dump: SignalDump = values['signals-in']
  ? (JSON.parse(await readFile(values['signals-in'], 'utf8')) as SignalDump)
  : await measureSignals(values.model, calibration);
if (values['signals-in'] && dump.model !== values.model) {
  console.error(`${values['signals-in']} holds the signals of model ${dump.model}, not ${values.model}`);
  process.exit(2);
}
if (values['signals-out']) await writeFile(values['signals-out'], `${JSON.stringify(dump)}\n`);

const attackNames = Object.keys(dump.attackCounts);
const cleanScores = dump.clean.map((c) => scoreEvasion(calibration, c.signals).score);
const attackedScores = dump.attacked.map((a) => scoreEvasion(calibration, a.signals).score);
// each signal alone, per attack: which of them carries the score
const signalAuc = Object.fromEntries(
  attackNames.map((attack) => [
    attack,
    Object.fromEntries(
      SIGNAL_NAMES.map((name) => [
        name,
        rocAuc(
          dump.clean.map((c) => c.signals[name]),
          dump.attacked.flatMap((a) => (a.attack === attack ? [a.signals[name]] : [])),
        ),
      ]),
    ),
  ]),
);
const byAttack = new Map(attackNames.map((attack) => [attack, dump.attacked.flatMap((a, i) => (a.attack === attack ? [attackedScores[i]] : []))]));
const quality = detectionQuality(cleanScores, byAttack, calibration);
const report = {
  bundle: { path: values.bundle, manifestSha256: bundle.manifestSha256 },
  model: dump.model,
  data: dump.data,
  ...(values['signals-in'] ? { signalsFrom: values['signals-in'] } : {}),
  attackCounts: dump.attackCounts,
  calibration: {
    signals: calibration.signals,
    threshold: calibration.threshold,
    falsePositiveTarget: calibration.falsePositiveTarget,
    fittedOn: calibration.data,
  },
  seconds: (performance.now() - started) / 1000,
  signalAuc,
  ...quality,
};
await mkdir(values.out, { recursive: true });
await writeFile(path.join(values.out, 'evasion-roc.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(path.join(values.out, 'evasion-roc.png'), await rocPng(quality, dump.plotTitle));
console.log(
  `clean: ${quality.clean}; at the calibrated threshold ${calibration.threshold.toFixed(4)}: ${(100 * quality.falsePositiveRateAtCalibrated).toFixed(1)} % of clean flagged`,
);
for (const a of quality.attacks) {
  console.log(
    `${a.attack}: n ${a.attacked}, AUC ${a.auc.toFixed(3)}, TPR ${(100 * a.truePositiveRateAt1).toFixed(1)} % at 1 % FPR, ${(100 * a.truePositiveRateAt5).toFixed(1)} % at 5 % FPR, ${(100 * a.truePositiveRateAtCalibrated).toFixed(1)} % at the calibrated threshold`,
  );
}
console.log(`each signal alone, AUC: ${JSON.stringify(signalAuc)}`);
console.log(`written: ${path.join(values.out, 'evasion-roc.json')}, evasion-roc.png (${report.seconds.toFixed(0)} s)`);
