/**
 * The stage-ii training loop (paper eq. 7, Algorithm 1 stage ii): per mini-batch,
 *   1. x' = PGD(x) against the current network (the attack library's PGD, inference mode),
 *   2. L = CE(f(x'), y) + lambda_w ||theta||^2 + alpha * mean MD(R(x'), cluster j(x)) (robust-loss.ts),
 *   3. one Adam step on theta.
 * Batches come from a seeded shuffle per epoch; each batch's PGD start is seeded from
 * (seed, epoch, batch). After every epoch a checkpoint (robust-checkpoint.ts) is written, and a run
 * given `resume` continues after the newest one with the same result as an uninterrupted run.
 */
import * as tf from '@tensorflow/tfjs';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { NormKind } from '../attacks/attack-types.ts';
import { attackableLayersModel } from '../attacks/layers-model-classifier.ts';
import { projectedGradientDescent } from '../attacks/pgd.ts';
import { deriveSeed, shuffledIndices } from '../random/seeded-random.ts';
import { Adam, DEFAULT_ADAM } from './adam.ts';
import type { ClusterPrecisionTensors } from './cluster-precision-tensors.ts';
import { type EpochSummary, latestCheckpoint, readCheckpoint, writeCheckpoint } from './robust-checkpoint.ts';
import { robustLoss } from './robust-loss.ts';
import { pixelBlock, type RobustTrainingSet } from './robust-training-set.ts';
import { coreVariables, type TrainablePlan } from './trainable-variables.ts';

export interface PgdSettings {
  readonly norm: NormKind;
  /** L2: per-pixel-normalised ||delta||_2 / sqrt(H W C); Linf: max |delta|; [0, 1] pixel units */
  readonly epsilon: number;
  readonly steps: number;
  /** default epsilon / 4 (the attack library's default) */
  readonly stepSize?: number;
}

export interface RobustTrainingOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** lambda_w */
  readonly weightDecay: number;
  /** alpha; 0 is plain PGD adversarial training */
  readonly alpha: number;
  readonly seed: number;
  readonly pgd: PgdSettings;
}

export const DEFAULT_ROBUST_TRAINING: RobustTrainingOptions = Object.freeze({
  epochs: 1,
  batchSize: 64,
  // fine-tuning a trained net: half the baseline CNN's from-scratch rate
  learningRate: 5e-4,
  weightDecay: 1e-4,
  alpha: 0.1,
  seed: 0,
  // the paper's l2 < 0.04 budget (per-pixel normalised), 10 steps as in its PGD-AT
  pgd: Object.freeze({ norm: 'l2', epsilon: 0.04, steps: 10 }),
});

/** A Layers network and the two outputs stage ii needs. */
export interface RobustNetwork {
  /** pixels [N, h, w, c] in [0, 1] -> logits; what PGD attacks */
  readonly network: tf.LayersModel;
  /** pixels -> [logits, latent]; shares the network's variables */
  readonly heads: tf.LayersModel;
  readonly plan: TrainablePlan;
}

export interface RobustTrainingRequest {
  readonly net: RobustNetwork;
  readonly set: RobustTrainingSet;
  /** j(n) per training image: index into `clusters` */
  readonly clusterOfImage: Int32Array;
  readonly clusters: ClusterPrecisionTensors;
  readonly options: RobustTrainingOptions;
  /** where per-epoch checkpoints go; `fingerprint` identifies the run (options, data, bundle, initial weights) */
  readonly checkpoints?: { dir: string; fingerprint: Record<string, unknown>; resume: boolean };
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
  readonly afterEpoch?: (summary: EpochSummary) => Promise<void> | void;
}

export interface RobustTrainingResult {
  /** every epoch, including those done before a resume */
  readonly history: EpochSummary[];
  /** the epoch the run resumed after, null for a fresh run */
  readonly resumedAfter: number | null;
}

export async function trainRobustly(request: RobustTrainingRequest): Promise<RobustTrainingResult> {
  const { net, set, clusterOfImage, clusters, options, signal } = request;
  const progress = request.progress ?? silentProgress;
  if (clusterOfImage.length !== set.count) throw new RangeError(`${clusterOfImage.length} cluster indices for ${set.count} images`);
  const theta = coreVariables(net.plan.variables);
  const adam = new Adam(theta, { ...DEFAULT_ADAM, learningRate: options.learningRate });
  const attacked = attackableLayersModel(net.network, { batchSize: options.batchSize });
  let history: EpochSummary[] = [];
  let resumedAfter: number | null = null;
  try {
    if (request.checkpoints?.resume) {
      const latest = await latestCheckpoint(request.checkpoints.dir);
      if (latest) {
        history = await restoreCheckpoint(latest.folder, net, adam, request.checkpoints.fingerprint);
        resumedAfter = latest.epoch;
      }
    }
    const firstEpoch = history.length;
    if (firstEpoch > options.epochs) throw new UserInputError(`the checkpoints already hold ${firstEpoch} epochs, more than the ${options.epochs} asked for`);
    const batchesPerEpoch = Math.ceil(set.count / options.batchSize);
    const batchesThisRun = (options.epochs - firstEpoch) * batchesPerEpoch;
    let batchesDone = 0;
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      const started = performance.now();
      const order = shuffledIndices(set.count, deriveSeed(options.seed, 10_000 + epoch));
      const sums = { loss: 0, crossEntropy: 0, distance: 0, cleanHits: 0, pgdHits: 0, seen: 0, squaredNorm: 0 };
      for (let b = 0; b < batchesPerEpoch; b++) {
        throwIfCancelled(signal);
        const indices = order.subarray(b * options.batchSize, Math.min((b + 1) * options.batchSize, set.count));
        const labels = Int32Array.from(indices, (n) => set.labels[n]);
        const clustersOfBatch = Int32Array.from(indices, (n) => clusterOfImage[n]);
        const images = { count: indices.length, height: set.height, width: set.width, channels: set.channels, data: pixelBlock(set, indices) };
        const cleanHits = await countHits(net.network, images.data, labels, set);
        const { adversarial } = await projectedGradientDescent(options.pgd.norm, options.pgd, {
          classifier: attacked,
          images,
          labels,
          seed: deriveSeed(deriveSeed(options.seed, 20_000 + epoch), b),
          signal,
        });
        const step = trainingStep(net, theta, adam, adversarial.data, labels, clustersOfBatch, clusters, set, options);
        const [total, crossEntropy, squaredNorm, meanDistance, hits] = await Promise.all(
          [step.total, step.crossEntropy, step.squaredNorm, step.meanDistance, step.hits].map(async (t) => (await t.data())[0]),
        );
        tf.dispose([step.total, step.crossEntropy, step.squaredNorm, step.meanDistance, step.hits]);
        const n = indices.length;
        sums.loss += total * n;
        sums.crossEntropy += crossEntropy * n;
        sums.distance += meanDistance * n;
        sums.cleanHits += cleanHits;
        sums.pgdHits += hits;
        sums.seen += n;
        sums.squaredNorm = squaredNorm;
        batchesDone++;
        progress.report({
          stage: 'robust training',
          fraction: batchesDone / batchesThisRun,
          message:
            `epoch ${epoch + 1}/${options.epochs}, batch ${b + 1}/${batchesPerEpoch}: loss ${(sums.loss / sums.seen).toFixed(3)} ` +
            `(CE ${(sums.crossEntropy / sums.seen).toFixed(3)}, MD ${(sums.distance / sums.seen).toFixed(2)}), ` +
            `clean ${pct(sums.cleanHits / sums.seen)}, PGD ${pct(sums.pgdHits / sums.seen)}`,
          metrics: {
            loss: sums.loss / sums.seen,
            crossEntropy: sums.crossEntropy / sums.seen,
            meanDistance: sums.distance / sums.seen,
            squaredNorm,
            cleanAccuracy: sums.cleanHits / sums.seen,
            pgdAccuracy: sums.pgdHits / sums.seen,
          },
        });
        // timers and signal handlers (Ctrl-C, the desktop's cancel) run between batches
        await new Promise((resolve) => setImmediate(resolve));
      }
      const summary: EpochSummary = {
        epoch: epoch + 1,
        loss: sums.loss / sums.seen,
        crossEntropy: sums.crossEntropy / sums.seen,
        squaredNorm: sums.squaredNorm,
        meanDistance: sums.distance / sums.seen,
        cleanAccuracy: sums.cleanHits / sums.seen,
        pgdAccuracy: sums.pgdHits / sums.seen,
        seconds: (performance.now() - started) / 1000,
      };
      history.push(summary);
      if (request.checkpoints) await saveCheckpoint(request.checkpoints.dir, net, adam, history, options.seed, request.checkpoints.fingerprint);
      await request.afterEpoch?.(summary);
      progress.report({
        stage: 'robust training',
        fraction: batchesDone / batchesThisRun,
        message:
          `epoch ${summary.epoch}/${options.epochs} done in ${summary.seconds.toFixed(0)} s: loss ${summary.loss.toFixed(3)}, ` +
          `MD ${summary.meanDistance.toFixed(2)}, clean ${pct(summary.cleanAccuracy)}, PGD ${pct(summary.pgdAccuracy)}`,
        metrics: {
          epochLoss: history.map((h) => h.loss),
          epochMeanDistance: history.map((h) => h.meanDistance),
          epochPgdAccuracy: history.map((h) => h.pgdAccuracy),
        },
      });
    }
    return { history, resumedAfter };
  } finally {
    adam.dispose();
  }
}

/** Steps 2 and 3 on one batch of attacked images; returns the loss terms (the caller disposes them). */
function trainingStep(
  net: RobustNetwork,
  theta: tf.Variable[],
  adam: Adam,
  adversarial: Float32Array,
  labels: Int32Array,
  clusterOfRow: Int32Array,
  clusters: ClusterPrecisionTensors,
  set: RobustTrainingSet,
  options: RobustTrainingOptions,
) {
  let terms: ReturnType<typeof robustLoss> | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const x = tf.tensor4d(adversarial, [labels.length, set.height, set.width, set.channels]);
    const [logits, latent] = net.heads.apply(x, { training: net.plan.trainingMode }) as tf.Tensor[];
    const flatLatent = latent.rank === 2 ? (latent as tf.Tensor2D) : (tf.reshape(latent, [labels.length, -1]) as tf.Tensor2D);
    terms = robustLoss({ logits: logits as tf.Tensor2D, latent: flatLatent }, tf.tensor1d(labels, 'int32'), clusterOfRow, clusters, theta, {
      weightDecay: options.weightDecay,
      mahalanobisWeight: options.alpha,
    });
    return terms.total;
  }, theta);
  adam.apply(theta.map((variable) => grads[variable.name]));
  tf.dispose(grads);
  return { ...terms!, total: value };
}

async function countHits(network: tf.LayersModel, pixels: Float32Array, labels: Int32Array, set: RobustTrainingSet): Promise<number> {
  const predicted = tf.tidy(() =>
    tf.argMax(network.apply(tf.tensor4d(pixels, [labels.length, set.height, set.width, set.channels]), { training: false }) as tf.Tensor2D, 1),
  );
  const values = await predicted.data();
  predicted.dispose();
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (values[i] === labels[i]) hits++;
  return hits;
}

async function saveCheckpoint(
  dir: string,
  net: RobustNetwork,
  adam: Adam,
  history: EpochSummary[],
  seed: number,
  fingerprint: Record<string, unknown>,
): Promise<void> {
  const weights = await Promise.all(net.network.weights.map((w) => w.read().data<'float32'>()));
  const state = await adam.state();
  await writeCheckpoint(dir, {
    state: {
      epoch: history.length,
      fingerprint,
      history: [...history],
      random: {
        seed,
        nextEpoch: history.length,
        derivation: 'shuffle: deriveSeed(seed, 10000 + epoch); PGD start: deriveSeed(deriveSeed(seed, 20000 + epoch), batch)',
      },
      adamStep: state.step,
      weights: net.network.weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[] })),
      adamVariables: net.plan.variables.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[] })),
    },
    weights,
    adam: state,
  });
}

async function restoreCheckpoint(folder: string, net: RobustNetwork, adam: Adam, fingerprint: Record<string, unknown>): Promise<EpochSummary[]> {
  const checkpoint = await readCheckpoint(folder);
  const differs = Object.keys({ ...fingerprint, ...checkpoint.state.fingerprint }).filter(
    (key) => JSON.stringify(fingerprint[key]) !== JSON.stringify(checkpoint.state.fingerprint[key]),
  );
  if (differs.length > 0) {
    throw new UserInputError(
      `${folder} belongs to a different run (${differs.join(', ')} differ); resume with the same options, or remove the checkpoints to start over`,
    );
  }
  const names = net.network.weights.map((w) => w.originalName);
  if (JSON.stringify(names) !== JSON.stringify(checkpoint.state.weights.map((w) => w.name)))
    throw new UserInputError(`${folder}: the checkpoint's weights do not match the network's`);
  tf.tidy(() => net.network.weights.forEach((w, i) => w.write(tf.tensor(checkpoint.weights[i], w.shape as number[]))));
  adam.restore({ step: checkpoint.state.adamStep, ...checkpoint.adam });
  return [...checkpoint.state.history];
}

function pct(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}
