/**
 * An inference-only edit of a built Keras (tfjs Layers) model, after its batch norms and capped
 * ReLUs are folded into its convolutions (batch-norm-folding.ts): each Conv2D or DepthwiseConv2D
 * with a bias and no activation or relu6 runs as one fused kernel. tfjs-layers itself would run
 * relu6 as a Relu then a Minimum against a broadcast 6, and add a depthwise convolution's bias as a
 * separate broadcast pass, each a walk over the whole activation map on wasm. XNNPACK clamps to
 * [0, 6] and adds the bias in the convolution's own loop, so scores differ by float rounding at
 * most. The fused kernels have no gradient for relu6: such a model is for scoring only.
 */
import * as tf from '@tensorflow/tfjs';

type AnyLayer = any;

/** Returns how many convolutions now run fused; `keep`: layers read by name, left as they are. */
export function fuseConvolutionActivations(model: tf.LayersModel, keep: readonly string[]): number {
  let fused = 0;
  for (const layer of model.layers as AnyLayer[]) {
    const kind = layer.getClassName();
    if ((kind !== 'Conv2D' && kind !== 'DepthwiseConv2D') || !layer.bias || keep.includes(layer.name)) continue;
    const activation = layer.activation?.getClassName();
    if ((activation !== 'linear' && activation !== 'relu6') || layer.dataFormat !== 'channelsLast') continue;
    const pad = layer.padding as 'same' | 'valid';
    const strides = layer.strides as [number, number];
    if (kind === 'Conv2D') {
      const dilations = layer.dilationRate as [number, number];
      layer.call = (inputs: tf.Tensor | tf.Tensor[]) =>
        tf.fused.conv2d({ x: single(inputs), filter: layer.kernel.read(), strides, pad, dilations, dataFormat: 'NHWC', bias: layer.bias.read(), activation });
    } else {
      layer.call = (inputs: tf.Tensor | tf.Tensor[]) =>
        tf.fused.depthwiseConv2d({ x: single(inputs), filter: layer.depthwiseKernel.read(), strides, pad, dataFormat: 'NHWC', bias: layer.bias.read(), activation });
    }
    fused++;
  }
  return fused;
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor4D {
  return (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
}
