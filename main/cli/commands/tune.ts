import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ATTACK_SPEC_HELP, PAPER_TABLE_ATTACKS, parseAttackSpecs } from '../../acsr/attacks/attack-spec.ts';
import { DEFENSE_NAMES } from '../../acsr/defenses/create-defense.ts';
import { TUNING_OBJECTIVE } from '../../acsr/tuning/choose-point.ts';
import { DEFAULT_COMPARISON, parseComparison } from '../../acsr/tuning/comparison-defenses.ts';
import { recommendationRule } from '../../acsr/tuning/recommend-defense.ts';
import { tuneBundle } from '../../acsr/tuning/tune-bundle.ts';
import { DEFAULT_TUNING_GRID, parseGridValues } from '../../acsr/tuning/tuning-grid.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { UsageError } from '../errors.ts';
import { defineCommand } from '../command.ts';
import { productVersion } from '../../version.ts';

const SHARED_FASHION_MNIST = resolve(import.meta.dirname, '../../../../shared/data/fashion-mnist');
const g = DEFAULT_TUNING_GRID;

export const tuneCommand = defineCommand({
  name: 'tune',
  summary: "choose the purification settings (Tikhonov lambda, CBPDN lambda, iterations) on the bundle's validation split",
  description:
    'Takes the validation images the bundle held out (never the test split; a bundle without a validation split is ' +
    'refused), attacks each once per attack against the undefended classifier, then for every grid point purifies ' +
    "the clean and attacked images with the acsr defense at that point's settings and classifies them. Records clean " +
    'accuracy and accuracy under each attack with Wilson 95 % intervals, and chooses the point with the highest ' +
    `objective (${TUNING_OBJECTIVE}) among the points that lose at most --max-clean-drop percentage points of clean ` +
    'accuracy against the undefended classifier; ties go to fewer iterations, then the larger CBPDN lambda, then the ' +
    'larger Tikhonov lambda. Writes tuning.json and tuning.md into --out (and journal.jsonl plus the attacked images, ' +
    'from which an interrupted sweep resumes: run the same command again). --bundle-out writes a new bundle whose ' +
    'manifest carries the chosen values as purification defaults, used by acsr purify and by the acsr, single-dict ' +
    'and lowpass defenses of acsr eval unless options override them.\n\n' +
    'After the sweep, the defenses named by --compare run on the same clean and attacked validation images (nothing is ' +
    "attacked again; no defense and ACSR at the chosen point reuse the sweep's verdicts; single-dict and lowpass take the " +
    "chosen settings, and single-dict's dictionary is learned from the bundle's training images without the validation " +
    'split, or given by --single-dict). Each gets clean and per-attack accuracy with Wilson intervals, ACSR is compared ' +
    "with each by McNemar's exact paired test per attack, and one defense is recommended: " +
    recommendationRule('--max-clean-drop') +
    '. The table and the recommendation go into tuning.json and tuning.md, and with --bundle-out into the new bundle, ' +
    'where acsr purify reports it. A folder whose sweep is done gets only the comparison computed.\n\n' +
    ATTACK_SPEC_HELP,
  examples: [
    'acsr tune --bundle fmnist-bundle --data fashion-mnist --model fmnist-baseline-cnn-b25dc5da0ce9 --limit 500 --out tune-fmnist --bundle-out fmnist-bundle-tuned',
    'acsr tune --bundle B --data photos-by-class/ --model nsfwjs-mobilenet-v2 --attacks fgsm-dis:0.04,deepfool-dis:0.04 --csc-lambda 0.1,0.2 --out tune-photos',
  ],
  options: {
    bundle: { type: 'string', required: true, valueName: 'BUNDLE', description: 'the reference bundle to tune (it must have a validation split)' },
    data: {
      type: 'string',
      required: true,
      valueName: 'DIR|fashion-mnist',
      description: 'the data the bundle was trained on (its validation images are taken from it); fashion-mnist = ../shared/data/fashion-mnist',
    },
    model: { type: 'string', required: true, valueName: 'ID', description: 'the classifier attacked and protected (registry id)' },
    attacks: {
      type: 'string',
      default: PAPER_TABLE_ATTACKS,
      valueName: 'SPECS',
      description: "comma-separated attack specs (below; default: the paper's five columns at its budgets)",
    },
    cscLambda: { type: 'string', default: g.cscLambda.join(','), valueName: 'LIST', description: 'CBPDN lambdas to try (comma-separated, >= 0)' },
    tikhonovLambda: { type: 'string', default: g.tikhonovLambda.join(','), valueName: 'LIST', description: 'Tikhonov lambdas to try (comma-separated, >= 0)' },
    iterations: { type: 'string', default: g.maxIterations.join(','), valueName: 'LIST', description: 'CBPDN iteration caps to try (comma-separated, >= 1)' },
    limit: { type: 'integer', min: 1, valueName: 'N', description: 'use the first N validation images (classes interleaved; default: all)' },
    maxCleanDrop: {
      type: 'number',
      default: 1,
      min: 0,
      valueName: 'POINTS',
      description: 'percentage points of clean accuracy a chosen point may lose against the undefended classifier',
    },
    batchSize: { type: 'integer', default: 32, min: 1, valueName: 'N', description: 'images attacked together (a journal unit)' },
    threads: { type: 'integer', min: 1, description: 'CBPDN threads per image (default: 1 per image on worker threads for small images, else all cores)' },
    seed: { type: 'integer', default: 0, description: 'seed of every random choice (PGD starts)' },
    out: { type: 'string', required: true, valueName: 'DIR', description: 'results folder; running again into it resumes' },
    compare: {
      type: 'string',
      default: DEFAULT_COMPARISON.join(','),
      valueName: 'DEFENSES',
      description: `defenses compared on the validation images after the sweep (comma-separated, of ${DEFENSE_NAMES.join(', ')}; 'none' alone: no comparison beyond the undefended classifier)`,
    },
    singleDict: {
      type: 'string',
      valueName: 'FILE.npy',
      description: "single-dict's dictionary (default: learned once from the bundle's training images without the validation split, kept in --out)",
    },
    bundleOut: {
      type: 'string',
      valueName: 'NEW_BUNDLE',
      description: 'also write a new bundle with the chosen values as its purification defaults (must not exist)',
    },
  },
  async run({ options, print, progress, signal }) {
    const grid = {
      tikhonovLambda: parseGridValues(options.tikhonovLambda, '--tikhonov-lambda', 'lambda'),
      cscLambda: parseGridValues(options.cscLambda, '--csc-lambda', 'lambda'),
      maxIterations: parseGridValues(options.iterations, '--iterations', 'iterations'),
    };
    const attacks = parseAttackSpecs(options.attacks);
    if (new Set(attacks.map((a) => a.name)).size !== attacks.length) throw new UsageError(`--attacks names an attack twice (${options.attacks})`);
    const compare = parseComparison(options.compare);
    const data = options.data === 'fashion-mnist' ? fashionMnistFolder() : options.data;
    const outcome = await tuneBundle({
      bundlePath: options.bundle,
      data,
      model: options.model,
      attacks,
      grid,
      maxCleanDrop: options.maxCleanDrop,
      batchSize: options.batchSize,
      seed: options.seed,
      out: options.out,
      producer: `acsr ${productVersion}`,
      progress,
      signal,
      compare,
      ...(options.singleDict !== undefined ? { singleDict: options.singleDict } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.bundleOut !== undefined ? { bundleOut: options.bundleOut } : {}),
    });
    const { results } = outcome;
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    print(
      `undefended: clean ${pct(results.undefended.clean.value)}, ${results.undefended.attacks.map((a) => `${a.row} ${pct(a.accuracy.value)}`).join(', ')} (${results.setup.data.count} validation images)`,
    );
    for (const p of results.points) {
      print(
        `${p.key.padEnd(18)} clean ${pct(p.clean.value)}  mean under attack ${pct(p.meanAttackAccuracy)}  ${p.meetsConstraint ? 'allowed' : 'clean drop too large'}  ${p.secondsPerImage.toFixed(2)} s/image${results.chosen?.key === p.key ? '  <- chosen' : ''}`,
      );
    }
    if (!results.chosen) print(`no grid point keeps clean accuracy within ${options.maxCleanDrop} points of the undefended classifier's`);
    const comparison = results.comparison;
    for (const row of comparison?.rows ?? []) {
      print(
        `${row.label.padEnd(28)} clean ${pct(row.clean.value)}  mean under attack ${pct(row.meanAttackAccuracy)}  ${row.meetsConstraint ? 'allowed' : 'clean drop too large'}${comparison?.recommendation?.defense === row.defense ? '  <- recommended' : ''}`,
      );
    }
    if (comparison?.recommendation) print(comparison.recommendation.sentence);
    if (outcome.bundleOut)
      print(`bundle with tuned purification defaults${comparison?.recommendation ? ' and the recommendation' : ''} written to ${outcome.bundleOut}`);
    print(`written: ${outcome.written.join(', ')}`);
    return {
      out: options.out,
      chosen: results.chosen,
      bundleOut: outcome.bundleOut,
      images: results.setup.data.count,
      points: results.points.length,
      recommendation: comparison?.recommendation ?? null,
    };
  },
});

function fashionMnistFolder(): string {
  const folder = process.env.ACSR_FASHION_MNIST ?? SHARED_FASHION_MNIST;
  if (!existsSync(folder)) throw new UserInputError(`fashion-mnist: ${folder} not found (set ACSR_FASHION_MNIST to the folder with the IDX files)`);
  return folder;
}
