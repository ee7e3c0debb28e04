/**
 * Which weights stage ii trains, per network, and in which mode its layers run.
 *
 * - The Fashion-MNIST baseline CNN: every weight (a few hundred thousand; cheap on CPU).
 * - nsfwjs MobileNetV2 (`nsfwjs-mobilenet-v2`, a Keras Layers model: its weights load as tfjs
 *   variables): on CPU backends only the last inverted-residual block `block_16` (expand 1x1
 *   160->960, depthwise 3x3, project 1x1 960->320), `Conv_1` (1x1 320->1280, whose pooled output is
 *   R(x)) and the dense head `dense_1..3`; everything before block_16 stays frozen (the PGD input
 *   gradient still goes through the whole net). With tfjs-node-gpu (or --layers all), the whole
 *   net: every convolution and dense layer, including blocks 0-10 that nsfwjs's own Keras config
 *   marks untrainable (2.26 M weights are trainable as shipped, 1.24 M in the last blocks). In both cases
 *   the BatchNormalization layers stay frozen (statistics, scale and offset).
 * - Graph models (e.g. `nsfwjs-mobilenet-v2-mid`) hold their weights as constants: refused.
 *
 * Layers run in inference mode (training=false: frozen BatchNorm statistics, no dropout) when the
 * net has BatchNormalization (fine-tuning with small batches would wreck the moving statistics)
 * or a Dropout without a seed (its masks could not be reproduced on resume); otherwise in training
 * mode, as the baseline CNN was trained (its dropout layers are seeded).
 */
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../../errors/user-input-error.ts';

export type TrainedScope = 'all' | 'last-blocks';

/** Layer-name prefixes of MobileNetV2's last blocks (Keras applications naming). */
export const MOBILENET_V2_LAST_BLOCKS: readonly string[] = ['block_16_', 'Conv_1', 'dense_'];

export interface TrainablePlan {
  readonly variables: tf.LayerVariable[];
  /** names of the layers whose weights train, for the report */
  readonly layers: string[];
  readonly scope: TrainedScope;
  readonly trainingMode: boolean;
  readonly why: string;
}

export function assertTrainableNetwork(network: tf.LayersModel | tf.GraphModel, modelId: string): tf.LayersModel {
  if (network instanceof tf.LayersModel) return network;
  throw new UserInputError(
    `model '${modelId}' is a tfjs Graph model: its weights are constants baked into the graph, not variables, so tfjs ` +
      'cannot train it (no gradient step can change them). Robust training needs a Layers model ' +
      '(e.g. nsfwjs-mobilenet-v2 or a baseline CNN trained by acsr train --train-baseline).',
  );
}

export function trainablePlan(network: tf.LayersModel, scope: TrainedScope): TrainablePlan {
  const isMobileNetV2 = network.layers.some((layer) => layer.name.startsWith('block_16_')) && network.layers.some((layer) => layer.name === 'Conv_1');
  if (scope === 'last-blocks' && !isMobileNetV2) scope = 'all'; // small nets train whole
  // BatchNormalization layers stay frozen whole (scale and offset too), as in usual fine-tuning
  const chosen = network.layers.filter(
    (layer) =>
      layer.weights.length > 0 &&
      layer.getClassName() !== 'BatchNormalization' &&
      (scope === 'all' || MOBILENET_V2_LAST_BLOCKS.some((prefix) => layer.name.startsWith(prefix))),
  );
  // nsfwjs's Keras config marks blocks 0-10 untrainable (its own transfer learning): 'all' means all
  for (const layer of chosen) if (!layer.trainable) layer.trainable = true;
  const variables = chosen.flatMap((layer) => layer.trainableWeights);
  if (variables.length === 0) throw new UserInputError('the model has no trainable weights');
  const hasBatchNorm = network.layers.some((layer) => layer.getClassName() === 'BatchNormalization');
  const unseededDropout = network.layers.some((layer) => layer.getClassName() === 'Dropout' && (layer.getConfig() as { seed?: number }).seed == null);
  const trainingMode = !hasBatchNorm && !unseededDropout;
  return {
    variables,
    layers: chosen.map((layer) => layer.name),
    scope,
    trainingMode,
    why: trainingMode ? 'training mode (seeded dropout)' : `inference mode (${hasBatchNorm ? 'BatchNorm statistics frozen' : 'unseeded dropout off'})`,
  };
}

/** tf.variableGrads wants tf.Variable; a LayerVariable wraps one (its `.read()`). */
export function coreVariables(variables: readonly tf.LayerVariable[]): tf.Variable[] {
  return variables.map((variable) => variable.read() as tf.Variable);
}
