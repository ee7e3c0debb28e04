import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ROBUST_TRAINING } from '../../acsr/robust/robust-training.ts';
import { trainRobustExtractor } from '../../acsr/robust/robust-semantic-training.ts';
import { defineCommand } from '../command.ts';
import { productVersion } from '../../version.ts';

const d = DEFAULT_ROBUST_TRAINING;

/** `--data fashion-mnist`: the IDX files every checkout has beside it in ../shared. */
function dataFolder(value: string): string {
  if (value !== 'fashion-mnist') return value;
  const shared = process.env.ACSR_SHARED_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared');
  return path.join(shared, 'data/fashion-mnist');
}

export const trainRobustCommand = defineCommand({
  name: 'train-robust',
  summary: 'stage ii: robust semantic training of the extractor (PGD-AT + Mahalanobis term), written as a new bundle',
  description:
    "Fine-tunes the bundle's extractor f_bsl (or --init ID) into f_rob with L = CE(f(x'), y) + lambda_w ||theta||^2 + " +
    "alpha * MD(R(x'), cluster of the clean x), x' a PGD example of x made against the current network. Each image's " +
    'clean cluster is its stage-i cluster (bundle member lists; other images: nearest cluster of their class under f_bsl). ' +
    "The covariance form (pseudo-inverse or Ledoit-Wolf) is the bundle's. A checkpoint (weights, Adam state, random " +
    'state) is written after every epoch; --resume continues after the newest with the same result as an uninterrupted ' +
    'run. f_rob is saved as a verified model folder in the model cache and registered; --out is a NEW bundle, a copy of ' +
    'the input with f_rob as its extractor (clusters and dictionaries stay those of stage i), so that purify --bundle ' +
    "OUT selects clusters with f_rob's latents. MobileNetV2 (nsfwjs-mobilenet-v2): only block_16, Conv_1 and the dense " +
    'head train unless --layers all (the default with tfjs-node-gpu). Graph models are refused (their weights are constants).',
  examples: [
    'acsr train-robust --bundle fm-bundle --data fashion-mnist --limit 10000 --epochs 1 --alpha 0.1 --out fm-bundle-robust',
    'acsr train-robust --bundle fm-bundle --data fashion-mnist --limit 10000 --epochs 1 --alpha 0 --eval-images 500 --out fm-bundle-pgdat',
    'acsr train-robust --bundle fm-bundle --data fashion-mnist --epochs 3 --out fm-bundle-robust --resume',
  ],
  options: {
    bundle: { type: 'string', required: true, valueName: 'B', description: 'stage-i reference bundle (not modified)' },
    data: {
      type: 'string',
      required: true,
      valueName: 'DIR|fashion-mnist',
      description: 'class sub-folders of images, a Fashion-MNIST IDX folder, or fashion-mnist for ../shared/data/fashion-mnist',
    },
    out: { type: 'string', required: true, valueName: 'NEW_BUNDLE', description: 'new bundle folder naming f_rob as its extractor (must not exist)' },
    init: {
      type: 'string',
      default: 'baseline',
      valueName: 'baseline|ID',
      description: "start from the bundle's extractor, or from a registered model of the same architecture",
    },
    epochs: { type: 'integer', default: d.epochs, min: 1, valueName: 'N', description: 'epochs (over --limit images)' },
    limit: { type: 'integer', min: 1, valueName: 'N', description: 'first N training images' },
    batchSize: { type: 'integer', default: d.batchSize, min: 1, valueName: 'N', description: 'images per step' },
    learningRate: { type: 'number', default: d.learningRate, greaterThan: 0, description: 'Adam learning rate' },
    weightDecay: { type: 'number', default: d.weightDecay, min: 0, description: 'lambda_w of the ||theta||^2 term' },
    alpha: { type: 'number', default: d.alpha, min: 0, description: 'weight of the Mahalanobis term (0: PGD adversarial training alone)' },
    eps: {
      type: 'number',
      default: d.pgd.epsilon,
      greaterThan: 0,
      description: 'PGD budget in [0, 1] pixel units; L2 per-pixel normalised (||delta||_2 / sqrt(HWC))',
    },
    pgdNorm: { type: 'string', choices: ['l2', 'linf'], default: d.pgd.norm, description: 'PGD norm' },
    pgdSteps: { type: 'integer', default: d.pgd.steps, min: 1, valueName: 'N', description: 'PGD steps (step size eps / 4)' },
    seed: { type: 'integer', default: d.seed, description: 'seed of the shuffles and PGD starts' },
    layers: {
      type: 'string',
      choices: ['last-blocks', 'all'],
      description: 'MobileNetV2: train the last blocks or the whole net (default: all on tensorflow-gpu, else last-blocks)',
    },
    checkpoints: { type: 'string', valueName: 'DIR', description: 'checkpoint folder (default OUT.checkpoints)' },
    resume: { type: 'boolean', default: false, description: 'continue after the newest checkpoint' },
    evalImages: {
      type: 'integer',
      default: 0,
      min: 0,
      valueName: 'N',
      description: 'measure f_bsl and f_rob on N held-out images (Fashion-MNIST t10k): clean, PGD accuracy, cluster agreement',
    },
    evalData: { type: 'string', valueName: 'DIR', description: 'held-out images for --eval-images (default: --data, its t10k split)' },
  },
  async run({ options, print, progress, signal }) {
    const dataDir = dataFolder(options.data);
    const result = await trainRobustExtractor({
      bundlePath: options.bundle,
      dataDir,
      limit: options.limit,
      init: options.init,
      out: options.out,
      checkpointDir: options.checkpoints,
      resume: options.resume,
      producer: `acsr ${productVersion}`,
      scope: options.layers as 'last-blocks' | 'all' | undefined,
      options: {
        epochs: options.epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        weightDecay: options.weightDecay,
        alpha: options.alpha,
        seed: options.seed,
        pgd: { norm: options.pgdNorm, epsilon: options.eps, steps: options.pgdSteps },
      },
      ...(options.evalImages > 0 ? { evaluation: { dataDir: options.evalData ? dataFolder(options.evalData) : dataDir, images: options.evalImages } } : {}),
      progress,
      signal,
    });
    print(
      `trained ${result.trainedLayers.length} layers (${result.scope}; ${result.layerMode}) on ${result.trainImages} images, backend ${result.backend}` +
        (result.resumedAfter === null ? '' : `, resumed after epoch ${result.resumedAfter}`),
    );
    print(
      `clean clusters: ${result.clusterAssignment.fromMembers} from the bundle's member lists, ${result.clusterAssignment.byDistance} by distance under f_bsl`,
    );
    for (const h of result.history) {
      print(
        `epoch ${h.epoch}: loss ${h.loss.toFixed(4)} (CE ${h.crossEntropy.toFixed(4)}, ||theta||^2 ${h.squaredNorm.toFixed(1)}, MD ${h.meanDistance.toFixed(3)}), ` +
          `clean ${(100 * h.cleanAccuracy).toFixed(2)}%, PGD ${(100 * h.pgdAccuracy).toFixed(2)}% (${h.seconds.toFixed(0)} s)`,
      );
    }
    if (result.evaluation) {
      for (const [name, f] of [
        ['f_bsl', result.evaluation.baseline],
        ['f_rob', result.evaluation.robust],
      ] as const) {
        print(
          `${name} on ${f.images} held-out images: clean ${(100 * f.cleanAccuracy).toFixed(1)}%, PGD ${(100 * f.pgdAccuracy).toFixed(1)}%, ` +
            `cluster agreement under PGD ${(100 * f.clusterAgreement).toFixed(1)}% (own clean choice ${(100 * f.selfClusterAgreement).toFixed(1)}%), mean attacked MD ${f.meanAttackedDistance.toFixed(2)}`,
        );
      }
    }
    print(`f_rob ${result.model.id} saved in ${result.model.folder}; new bundle ${result.bundle}`);
    return { ...result };
  },
});
