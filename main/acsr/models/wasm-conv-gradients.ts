/**
 * Convolution gradients for the wasm backend, expressed as ordinary forward convolutions so that
 * they run in XNNPACK's fast Conv2D / DepthwiseConv2dNative instead of tfjs-wasm's naive loop
 * (Conv2DBackpropInput) or the pure-JS cpu kernels (the three it lacks). Measured on InceptionV3,
 * the input gradient spends ~90% of its time in the naive Conv2DBackpropInput otherwise.
 *
 * For y[i] = sum_p x[i*s + p - top] w[p] (per spatial axis, NHWC):
 * - dx is the correlation of dy, dilated by s and padded, with the spatially flipped filter
 *   (input and output channels swapped);
 * - dw[p] = sum_i x[p + i*s - top] dy[i] is a convolution of x (batch and channels swapped) with
 *   dy as the filter, dilated by s.
 * Only NHWC, dilation 1 and (for depthwise) channel multiplier 1 are handled; anything else goes
 * to the fallback kernel.
 */
import * as tf from '@tensorflow/tfjs';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;
type WasmBackend = { disposeData(dataId: object, force?: boolean): boolean };
type PadSpec = [number, number];

/** Runs wasm kernels directly and frees every intermediate except the result. */
class KernelScope {
  readonly #backend: tf.KernelBackend;
  readonly #backendName: string;
  readonly #made: Info[] = [];

  constructor(backend: tf.KernelBackend, backendName: string) {
    this.#backend = backend;
    this.#backendName = backendName;
  }

  run(kernelName: string, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
    const kernel = tf.getKernel(kernelName, this.#backendName);
    if (!kernel) throw new Error(`no ${kernelName} kernel on ${this.#backendName}`);
    const out = kernel.kernelFunc({ inputs, backend: this.#backend, attrs: attrs as tf.NamedAttrMap }) as Info;
    this.#made.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  /** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
  padOrCrop(x: Info, rows: PadSpec, cols: PadSpec): Info {
    const [batch, height, width, channels] = x.shape;
    const crop = (v: number) => Math.max(0, -v);
    let out = x;
    if (rows.some((v) => v < 0) || cols.some((v) => v < 0)) {
      out = this.run('Slice', { x: out }, {
        begin: [0, crop(rows[0]), crop(cols[0]), 0],
        size: [batch, height - crop(rows[0]) - crop(rows[1]), width - crop(cols[0]) - crop(cols[1]), channels],
      });
    }
    const grow = (v: number) => Math.max(0, v);
    if (rows.some((v) => v > 0) || cols.some((v) => v > 0)) {
      out = this.run('PadV2', { x: out }, {
        paddings: [[0, 0], [grow(rows[0]), grow(rows[1])], [grow(cols[0]), grow(cols[1])], [0, 0]],
        constantValue: 0,
      });
    }
    return out;
  }

  /** Inserts stride - 1 zeros after every row and column (so the length becomes n * stride). */
  dilate(x: Info, strideHeight: number, strideWidth: number): Info {
    if (strideHeight === 1 && strideWidth === 1) return x;
    const [batch, height, width, channels] = x.shape;
    const spread = this.run('PadV2', { x: this.reshape(x, [batch, height, 1, width, 1, channels]) }, {
      paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]],
      constantValue: 0,
    });
    return this.reshape(spread, [batch, height * strideHeight, width * strideWidth, channels]);
  }

  finish(result: Info): Info {
    const backend = this.#backend as unknown as WasmBackend;
    for (const info of this.#made) if (info !== result) backend.disposeData(info.dataId);
    return result;
  }

  abandon(): void {
    const backend = this.#backend as unknown as WasmBackend;
    for (const info of this.#made) backend.disposeData(info.dataId);
  }
}

interface ConvGeometry {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  top: number;
  left: number;
}

function geometry(
  inShape: number[],
  filterShape: number[],
  attrs: { strides: number | [number, number]; pad: unknown; dimRoundingMode?: unknown },
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
    depthwise,
  );
  return {
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

function isChannelsLastUndilated(attrs: Record<string, unknown>): boolean {
  const format = attrs.dataFormat;
  const dilations = attrs.dilations;
  const undilated = dilations === undefined || dilations === 1 || (Array.isArray(dilations) && dilations.every((d) => d === 1));
  return (format === undefined || format === 'NHWC' || format === 'channelsLast') && undilated;
}

/** dy dilated by the stride and padded so that a valid correlation with a kh x kw filter gives H x W. */
function spreadGradient(scope: KernelScope, dy: Info, g: ConvGeometry): Info {
  const dilated = scope.dilate(dy, g.strideHeight, g.strideWidth);
  const rowsBefore = g.filterHeight - 1 - g.top;
  const colsBefore = g.filterWidth - 1 - g.left;
  return scope.padOrCrop(
    dilated,
    [rowsBefore, g.inHeight + g.filterHeight - 1 - rowsBefore - g.outHeight * g.strideHeight],
    [colsBefore, g.inWidth + g.filterWidth - 1 - colsBefore - g.outWidth * g.strideWidth],
  );
}

/** x padded (or cropped) to exactly the rows and columns the filter positions read. */
function paddedInput(scope: KernelScope, x: Info, g: ConvGeometry): Info {
  return scope.padOrCrop(
    x,
    [g.top, (g.outHeight - 1) * g.strideHeight + g.filterHeight - g.inHeight - g.top],
    [g.left, (g.outWidth - 1) * g.strideWidth + g.filterWidth - g.inWidth - g.left],
  );
}

const VALID = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined };

function withFallback(name: string, fast: KernelFunc, fallback: KernelFunc, usable: (attrs: Record<string, unknown>, inputs: tf.NamedTensorInfoMap) => boolean): KernelFunc {
  return (args) => {
    if (!usable(args.attrs as Record<string, unknown>, args.inputs)) return fallback(args);
    try {
      return fast(args);
    } catch (error) {
      throw new Error(`${name} (wasm, via forward convolution): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}

function scoped(backendName: string, body: (scope: KernelScope, args: Parameters<KernelFunc>[0]) => Info): KernelFunc {
  return (args) => {
    const scope = new KernelScope(args.backend as tf.KernelBackend, backendName);
    try {
      return scope.finish(body(scope, args));
    } catch (error) {
      scope.abandon();
      throw error;
    }
  };
}

/** Kernel functions for `backendName` (wasm); `fallback(kernelName)` serves the cases not handled. */
export function wasmConvGradientKernels(backendName: string, fallback: (kernelName: string) => KernelFunc): tf.KernelConfig[] {
  const conv2dBackpropInput = scoped(backendName, (scope, { inputs, attrs }) => {
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const a = attrs as unknown as { inputShape: number[]; strides: [number, number]; pad: unknown; dimRoundingMode?: unknown };
    const g = geometry(a.inputShape, filter.shape, a, false);
    const flipped = scope.transpose(scope.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    return scope.run('Conv2D', { x: spreadGradient(scope, dy, g), filter: flipped }, { ...VALID, dilations: [1, 1] });
  });

  const conv2dBackpropFilter = scoped(backendName, (scope, { inputs, attrs }) => {
    const { x, dy } = inputs as { x: Info; dy: Info };
    const a = attrs as unknown as { filterShape: number[]; strides: [number, number]; pad: unknown; dimRoundingMode?: unknown };
    const g = geometry(x.shape, a.filterShape, a, false);
    const [batch, , , inChannels] = x.shape;
    const outChannels = a.filterShape[3];
    if (g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.top === 0 && g.left === 0) {
      // 1x1 convolution: dw = x^T dy over all batch and spatial positions, one matrix product.
      const rows = batch * g.inHeight * g.inWidth;
      const product = scope.run(
        'BatchMatMul',
        { a: scope.reshape(x, [1, rows, inChannels]), b: scope.reshape(dy, [1, rows, outChannels]) },
        { transposeA: true, transposeB: false },
      );
      return scope.reshape(product, [1, 1, inChannels, outChannels]);
    }
    const swapped = scope.transpose(paddedInput(scope, x, g), [3, 1, 2, 0]);
    const dyAsFilter = scope.transpose(dy, [1, 2, 0, 3]);
    const out = scope.run('Conv2D', { x: swapped, filter: dyAsFilter }, { ...VALID, dilations: [g.strideHeight, g.strideWidth] });
    return scope.transpose(out, [1, 2, 0, 3]);
  });

  const depthwiseBackpropInput = scoped(backendName, (scope, { inputs, attrs }) => {
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const a = attrs as unknown as { inputShape: number[]; strides: [number, number]; pad: unknown; dimRoundingMode?: unknown };
    const g = geometry(a.inputShape, filter.shape, a, true);
    const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
    return scope.run('DepthwiseConv2dNative', { x: spreadGradient(scope, dy, g), filter: flipped }, { ...VALID, dilations: [1, 1] });
  });

  const depthwiseBackpropFilter = scoped(backendName, (scope, { inputs, attrs }) => {
    const { x, dy } = inputs as { x: Info; dy: Info };
    const a = attrs as unknown as { filterShape: number[]; strides: [number, number]; pad: unknown; dimRoundingMode?: unknown };
    const g = geometry(x.shape, a.filterShape, a, true);
    const [batch, , , channels] = x.shape;
    // Batch folded into channels, so one depthwise convolution correlates every (image, channel) pair.
    const padded = paddedInput(scope, x, g);
    const [, paddedHeight, paddedWidth] = padded.shape;
    const folded = scope.reshape(scope.transpose(padded, [1, 2, 0, 3]), [1, paddedHeight, paddedWidth, batch * channels]);
    const dyAsFilter = scope.reshape(scope.transpose(dy, [1, 2, 0, 3]), [g.outHeight, g.outWidth, batch * channels, 1]);
    const out = scope.run('DepthwiseConv2dNative', { x: folded, filter: dyAsFilter }, {
      ...VALID,
      dilations: [g.strideHeight, g.strideWidth],
    });
    const perImage = scope.reshape(out, [g.filterHeight, g.filterWidth, batch, channels]);
    const summed = scope.run('Sum', { x: perImage }, { axis: [2], keepDims: false });
    return scope.reshape(summed, [g.filterHeight, g.filterWidth, channels, 1]);
  });

  const channelMultiplierOne = (filterShape: number[] | undefined) => filterShape !== undefined && filterShape[3] === 1;
  return [
    {
      kernelName: 'Conv2DBackpropInput',
      backendName,
      kernelFunc: withFallback('Conv2DBackpropInput', conv2dBackpropInput, fallback('Conv2DBackpropInput'), isChannelsLastUndilated),
    },
    {
      kernelName: 'Conv2DBackpropFilter',
      backendName,
      kernelFunc: withFallback('Conv2DBackpropFilter', conv2dBackpropFilter, fallback('Conv2DBackpropFilter'), isChannelsLastUndilated),
    },
    {
      kernelName: 'DepthwiseConv2dNativeBackpropInput',
      backendName,
      kernelFunc: withFallback(
        'DepthwiseConv2dNativeBackpropInput',
        depthwiseBackpropInput,
        fallback('DepthwiseConv2dNativeBackpropInput'),
        (attrs, inputs) => isChannelsLastUndilated(attrs) && channelMultiplierOne(inputs.filter?.shape),
      ),
    },
    {
      kernelName: 'DepthwiseConv2dNativeBackpropFilter',
      backendName,
      kernelFunc: withFallback(
        'DepthwiseConv2dNativeBackpropFilter',
        depthwiseBackpropFilter,
        fallback('DepthwiseConv2dNativeBackpropFilter'),
        (attrs) => isChannelsLastUndilated(attrs) && channelMultiplierOne(attrs.filterShape as number[] | undefined),
      ),
    },
  ];
}
