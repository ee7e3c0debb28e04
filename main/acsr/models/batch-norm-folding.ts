/**
 * An inference-only edit of a Keras (tfjs Layers) model before it is built: every inference-mode
 * BatchNormalization that directly follows a linear Conv2D or DepthwiseConv2D is folded into that
 * convolution's kernel and bias, and a ReLU capped at 6 that then follows the convolution becomes
 * the convolution's relu6 activation (run fused with it: fused-activations.ts).
 *
 * Why: on the wasm backend, MobileNetV2's 52 batch norms cost as much time as its convolutions
 * (the kernel walks every value with a per-element channel lookup). Folded, the network does the
 * same arithmetic in fewer passes:
 * per output channel c, with s = gamma / sqrt(variance + epsilon),
 *   kernel'[..., c] = kernel[..., c] * s,   bias'[c] = (bias[c] - mean) * s + beta.
 * The scores differ from the unfolded model only by float32 rounding (the import's tests compare
 * the two). The folded model has no batch-norm layers left to fine-tune, so this is for scoring
 * only (the import's content filter), never for training.
 */
import * as tf from '@tensorflow/tfjs';

type KerasLayer = { class_name: string; name?: string; config: Record<string, any>; inbound_nodes: any[] };

export interface FoldReport {
  artifacts: tf.io.ModelArtifacts;
  foldedBatchNorms: number;
  mergedRelus: number;
}

const FOLDABLE = new Set(['Conv2D', 'DepthwiseConv2D']);

/** `keep`: layers the caller reads by name (scores, latent); they are never folded away. */
export async function foldBatchNorms(artifacts: tf.io.ModelArtifacts, keep: readonly string[]): Promise<FoldReport> {
  const topology = structuredClone(artifacts.modelTopology) as any;
  const config = (topology?.model_config ?? topology)?.config;
  const layers: KerasLayer[] | undefined = config?.layers;
  if (!Array.isArray(layers) || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error('batch-norm folding needs a Keras functional model with its weights');
  }
  const nameOf = (layer: KerasLayer): string => layer.config.name ?? layer.name;
  const weights = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  const values = new Map(Object.entries(weights).map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]));
  const shapes = new Map(Object.entries(weights).map(([name, tensor]) => [name, tensor.shape]));
  tf.dispose(Object.values(weights));

  const byName = new Map(layers.map((layer) => [nameOf(layer), layer]));
  const consumers = new Map<string, number>();
  for (const layer of layers) for (const source of inboundNames(layer)) consumers.set(source, (consumers.get(source) ?? 0) + 1);
  for (const [name] of config.output_layers ?? []) consumers.set(name, (consumers.get(name) ?? 0) + 1);

  /** Removed layer -> the layer that now gives its output. */
  const removed = new Map<string, string>();
  const survivor = (name: string): string => (removed.has(name) ? survivor(removed.get(name)!) : name);
  for (const norm of layers) {
    if (norm.class_name !== 'BatchNormalization' || keep.includes(nameOf(norm))) continue;
    const sources = inboundNames(norm);
    const conv = sources.length === 1 ? byName.get(sources[0]) : undefined;
    if (!conv || !FOLDABLE.has(conv.class_name) || keep.includes(nameOf(conv))) continue;
    if (consumers.get(nameOf(conv)) !== 1 || (conv.config.activation ?? 'linear') !== 'linear') continue;
    if ((conv.config.data_format ?? 'channels_last') !== 'channels_last' || ![-1, 3].includes(norm.config.axis)) continue;
    foldInto(conv, norm, nameOf, values, shapes);
    removed.set(nameOf(norm), nameOf(conv));
    consumers.set(nameOf(conv), consumers.get(nameOf(norm)) ?? 0);
  }
  let mergedRelus = 0;
  for (const relu of layers) {
    const { max_value: maxValue, negative_slope: slope = 0, threshold = 0 } = relu.config;
    if (relu.class_name !== 'ReLU' || maxValue !== 6 || slope !== 0 || threshold !== 0 || keep.includes(nameOf(relu))) continue;
    const sources = inboundNames(relu);
    const conv = sources.length === 1 ? byName.get(removed.get(sources[0]) ?? sources[0]) : undefined;
    if (!conv || !FOLDABLE.has(conv.class_name) || !conv.config.use_bias || keep.includes(nameOf(conv))) continue;
    if (consumers.get(nameOf(conv)) !== 1 || (conv.config.activation ?? 'linear') !== 'linear') continue;
    conv.config.activation = 'relu6';
    removed.set(nameOf(relu), nameOf(conv));
    mergedRelus++;
  }
  config.layers = layers.filter((layer) => !removed.has(nameOf(layer)));
  for (const layer of config.layers as KerasLayer[]) {
    for (const node of layer.inbound_nodes) for (const input of node) input[0] = survivor(input[0]);
  }
  for (const output of config.output_layers ?? []) output[0] = survivor(output[0]);

  const kept: tf.NamedTensorMap = {};
  for (const [name, data] of values) kept[name] = tf.tensor(data, shapes.get(name), 'float32');
  const encoded = await tf.io.encodeWeights(kept);
  tf.dispose(Object.values(kept));
  return {
    artifacts: { ...artifacts, modelTopology: topology, weightSpecs: encoded.specs, weightData: encoded.data },
    foldedBatchNorms: removed.size - mergedRelus,
    mergedRelus,
  };
}

function inboundNames(layer: KerasLayer): string[] {
  return layer.inbound_nodes.flatMap((node: any[]) => node.map((input) => input[0] as string));
}

/** Rewrites the convolution's kernel and bias in `values` and drops the norm's weights. */
function foldInto(
  conv: KerasLayer,
  norm: KerasLayer,
  nameOf: (layer: KerasLayer) => string,
  values: Map<string, Float32Array>,
  shapes: Map<string, number[]>,
): void {
  const convName = nameOf(conv);
  const normName = nameOf(norm);
  const kernelName = `${convName}/${conv.class_name === 'Conv2D' ? 'kernel' : 'depthwise_kernel'}`;
  const kernel = values.get(kernelName);
  const mean = values.get(`${normName}/moving_mean`);
  const variance = values.get(`${normName}/moving_variance`);
  if (!kernel || !mean || !variance) throw new Error(`cannot fold '${normName}' into '${convName}': weights missing`);
  const channels = mean.length;
  // Both kernels keep the output channel innermost: Conv2D [kh, kw, in, out], DepthwiseConv2D
  // [kh, kw, in, multiplier] whose output channel is in * multiplier + m.
  if (kernel.length % channels !== 0) throw new Error(`cannot fold '${normName}' into '${convName}': ${channels} channels`);
  const epsilon: number = norm.config.epsilon ?? 1e-3;
  const gamma = norm.config.scale === false ? undefined : values.get(`${normName}/gamma`);
  const beta = norm.config.center === false ? undefined : values.get(`${normName}/beta`);
  const oldBias = conv.config.use_bias ? values.get(`${convName}/bias`) : undefined;
  const scale = Float64Array.from(mean, (_, c) => (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon));
  const folded = new Float32Array(kernel.length);
  for (let index = 0; index < kernel.length; index++) folded[index] = kernel[index] * scale[index % channels];
  const bias = Float32Array.from(mean, (_, c) => ((oldBias ? oldBias[c] : 0) - mean[c]) * scale[c] + (beta ? beta[c] : 0));
  values.set(kernelName, folded);
  values.set(`${convName}/bias`, bias);
  shapes.set(`${convName}/bias`, [channels]);
  for (const weight of ['gamma', 'beta', 'moving_mean', 'moving_variance']) {
    values.delete(`${normName}/${weight}`);
    shapes.delete(`${normName}/${weight}`);
  }
  conv.config.use_bias = true;
  conv.config.bias_initializer ??= { class_name: 'Zeros', config: {} };
}
