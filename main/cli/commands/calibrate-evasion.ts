import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ATTACK_SPEC_HELP, parseAttackSpecs } from '../../acsr/attacks/attack-spec.ts';
import { calibrateEvasion } from '../../acsr/evasion/calibrate-evasion.ts';
import { DEFAULT_FALSE_POSITIVE_RATE, DEFAULT_SCORE_SIGNALS } from '../../acsr/evasion/evasion-calibration.ts';
import { SIGNAL_NAMES, type SignalName } from '../../acsr/evasion/evasion-signals.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { UsageError } from '../errors.ts';
import { defineCommand } from '../command.ts';

const SHARED_FASHION_MNIST = resolve(import.meta.dirname, '../../../../shared/data/fashion-mnist');
const DEFAULT_ATTACKS = 'fgsm-dis:0.08,fgsm-dis:0.04,bim-dis:0.04,deepfool-dis:0.04,cw-dis:0.04';

export const calibrateEvasionCommand = defineCommand({
  name: 'calibrate-evasion',
  summary: 'fit the evasion score ("was this image made to fool the classifier?") on the bundle\'s validation split',
  description:
    'Takes the validation images the bundle held out (never the test split) and their attacked versions, and for each ' +
    'clean image and each successfully attacked one (right when clean, wrong after the attack) computes its signals: ' +
    "how far the classifier's softmax moves (L1 distance) when the image is squeezed: purified with the bundle at its " +
    'purification defaults, JPEG-compressed at quality 50, median-filtered 3x3, reduced to 1, 2, 3 and 4 bits per pixel; ' +
    "the largest of the first five shifts; whether and how many of the squeezers change the predicted label; the classifier's margin on the " +
    'image (top-1 minus top-2 score: attacks at small budgets leave the image just across the decision boundary); the ' +
    "image's fine-grain noise (median and upper quartile of its difference from a 3x3 median); and " +
    "how far its latent lies from the nearest cluster (a robust z-score against the cluster's own training members). " +
    'The signals are those given by --signals, or else the set that catches more attacked images at the false-positive ' +
    'rate in a 5-fold cross-validation on the fitting images: the compact set (the five shifts, their maximum, the margin ' +
    'and the flip count) or every signal but the latent distance; the larger set must win by more than one image per attack. ' +
    'A logistic regression on the standardised signals (L2 penalty, both classes weighted equally, ' +
    "fitted by Newton's method, deterministic) turns them into one score, the probability that the image was attacked; " +
    'the threshold is set for --false-positive-rate on the clean validation images as scored by fits that did not see them ' +
    "(5-fold cross-validation; a model scores its own fitting images too confidently), never below the fitted scores' " +
    'quantile. The signal names, weights, feature ' +
    'means and scales, threshold, the SHA-256 of the fitting images and their counts go into a new bundle (--bundle-out), ' +
    "and acsr purify then reports each image's score, whether it is above the threshold, and each signal's value and " +
    'share of the score.\n\n' +
    'Attacked images are reused from an acsr tune results folder (--tune-out) where it holds them for the same images ' +
    '(use the same --limit and --batch-size as the tune run); the others are attacked here, against the undefended ' +
    'classifier, and nothing is written into the tune folder.\n\n' +
    ATTACK_SPEC_HELP,
  examples: [
    'acsr calibrate-evasion --bundle fmnist-bundle-tuned --data fashion-mnist --model fmnist-baseline-cnn-b25dc5da0ce9 --limit 200 --tune-out tune-fmnist --bundle-out fmnist-bundle-calibrated',
  ],
  options: {
    bundle: {
      type: 'string',
      required: true,
      valueName: 'BUNDLE',
      description: 'the reference bundle (it must have a validation split; a tuned one gives the tuned purification settings)',
    },
    data: {
      type: 'string',
      required: true,
      valueName: 'DIR|fashion-mnist',
      description: 'the data the bundle was trained on; fashion-mnist = ../shared/data/fashion-mnist',
    },
    model: { type: 'string', required: true, valueName: 'ID', description: 'the classifier whose verdicts are watched (registry id)' },
    attacks: {
      type: 'string',
      default: DEFAULT_ATTACKS,
      valueName: 'SPECS',
      description: "comma-separated attack specs (below; default: the paper's five columns at its budgets)",
    },
    tuneOut: { type: 'string', valueName: 'DIR', description: 'an acsr tune --out folder whose attacked images are reused' },
    limit: { type: 'integer', min: 1, valueName: 'N', description: 'use the first N validation images (classes interleaved; default: all)' },
    batchSize: { type: 'integer', default: 32, min: 1, valueName: 'N', description: "images attacked together (as acsr tune's, for reuse)" },
    seed: { type: 'integer', default: 0, description: "seed of the attacks run here (as acsr tune's)" },
    falsePositiveRate: {
      type: 'number',
      default: DEFAULT_FALSE_POSITIVE_RATE,
      min: 0,
      valueName: 'RATE',
      description: 'share of clean images allowed above the threshold (0 to <1)',
    },
    l2: { type: 'number', greaterThan: 0, description: 'L2 penalty of the logistic fit (default 1)' },
    signals: {
      type: 'string',
      valueName: 'NAMES',
      description: `comma-separated signals to fit the score on (default: chosen by cross-validation between ${DEFAULT_SCORE_SIGNALS.join(',')} and every signal but latentOutlier; any of ${SIGNAL_NAMES.join(', ')})`,
    },
    signalsOut: { type: 'string', valueName: 'FILE', description: "also write every fitting image's signals (all of them) to this JSON file" },
    threads: { type: 'integer', min: 1, description: 'CBPDN threads per image (default 1)' },
    bundleOut: { type: 'string', required: true, valueName: 'NEW_BUNDLE', description: 'the new bundle with the calibration (must not exist)' },
  },
  async run({ options, print, progress, signal }) {
    if (options.falsePositiveRate >= 1) throw new UsageError(`--false-positive-rate must be below 1, got ${options.falsePositiveRate}`);
    const attacks = parseAttackSpecs(options.attacks);
    if (new Set(attacks.map((a) => a.name)).size !== attacks.length) throw new UsageError(`--attacks names an attack twice (${options.attacks})`);
    const signals = options.signals === undefined ? undefined : parseSignalNames(options.signals);
    if (options.tuneOut !== undefined && !existsSync(options.tuneOut)) throw new UserInputError(`--tune-out ${options.tuneOut}: no such folder`);
    const outcome = await calibrateEvasion({
      bundlePath: options.bundle,
      data: options.data === 'fashion-mnist' ? fashionMnistFolder() : options.data,
      model: options.model,
      attacks,
      batchSize: options.batchSize,
      seed: options.seed,
      falsePositiveRate: options.falsePositiveRate,
      bundleOut: options.bundleOut,
      progress,
      signal,
      ...(options.tuneOut !== undefined ? { tuneOut: options.tuneOut } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.l2 !== undefined ? { l2: options.l2 } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(signals !== undefined ? { signals } : {}),
      ...(options.signalsOut !== undefined ? { signalsOut: options.signalsOut } : {}),
    });
    const c = outcome.calibration;
    print(`attacked images: ${outcome.reusedBatches} batches reused from the tune folder, ${outcome.attackedBatches} attacked here`);
    for (const [name, count] of Object.entries(outcome.counts))
      print(`${name}: ${count.successful} of ${count.attacked} attacks succeeded on correctly classified images (fitted on)`);
    if (c.signalChoice) {
      const merits = c.signalChoice.candidates.map((candidate) => `${candidate.name} ${(100 * candidate.meanCaught).toFixed(1)} %`).join(', ');
      print(
        `signals chosen by ${c.signalChoice.folds}-fold cross-validation on the fitting images: ${c.signalChoice.chosen} ` +
          `(attacked images caught at ${(100 * c.signalChoice.falsePositiveRate).toFixed(1)} % false positives, mean over attacks: ${merits})`,
      );
    }
    print(`weights (standardised): ${c.signals.map((s, j) => `${s} ${c.weights[j].toFixed(3)}`).join(', ')}; bias ${c.bias.toFixed(3)}`);
    const heldOut = c.thresholdChoice
      ? `set on the ${c.thresholdChoice.folds}-fold cross-validated scores (held out: ${pct(c.thresholdChoice.heldOutFalsePositiveRate)} of clean, ` +
        `${pct(c.thresholdChoice.heldOutTruePositiveRate)} of attacked images flagged); `
      : 'set on the fitted scores (too few images to cross-validate); ';
    print(
      `threshold ${c.threshold.toFixed(4)} for ${pct(c.falsePositiveTarget)} false positives, ${heldOut}on the fitting data ` +
        `${pct(c.fittedFalsePositiveRate)} of ${c.data.clean} clean images and ${pct(c.fittedTruePositiveRate)} of the attacked ones flagged`,
    );
    print(`bundle with the evasion calibration written to ${outcome.bundleOut}`);
    return {
      bundleOut: outcome.bundleOut,
      calibration: c,
      counts: outcome.counts,
      reusedBatches: outcome.reusedBatches,
      attackedBatches: outcome.attackedBatches,
    };
  },
});

function parseSignalNames(text: string): SignalName[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const unknown = names.find((name) => !(SIGNAL_NAMES as readonly string[]).includes(name));
  if (unknown !== undefined) throw new UsageError(`--signals: unknown signal ${unknown} (known: ${SIGNAL_NAMES.join(', ')})`);
  if (names.length === 0 || new Set(names).size !== names.length) throw new UsageError(`--signals must name one or more distinct signals, got ${text}`);
  return names as SignalName[];
}

function fashionMnistFolder(): string {
  const folder = process.env.ACSR_FASHION_MNIST ?? SHARED_FASHION_MNIST;
  if (!existsSync(folder)) throw new UserInputError(`fashion-mnist: ${folder} not found (set ACSR_FASHION_MNIST to the folder with the IDX files)`);
  return folder;
}

function pct(share: number): string {
  return `${(100 * share).toFixed(1)} %`;
}
