/**
 * What tfjs's wasm backend lacks for back-propagating through pretrained CNNs, found by running
 * the gradients of the three nsfwjs models:
 * - Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput and DepthwiseConv2dNativeBackpropFilter
 *   have no wasm kernels, and its Conv2DBackpropInput is a naive loop. On wasm all four are
 *   replaced by forward convolutions (wasm-conv-gradients.ts); the cases those do not cover, and
 *   other non-cpu backends lacking a kernel, are routed to the pure-JS cpu backend's kernels
 *   (data copied across: exact, but slow).
 * - tfjs's FusedBatchNorm gradient tiles and precomputes full-size tensors it may not need; it
 *   is replaced (for every backend: same mathematics) by batch-norm-gradient.ts.
 * - The fused conv ops compute the filter gradient even when only the input gradient is asked for
 *   (their gradient is one custom function returning all of them). `withInputGradientsOnly` swaps
 *   in kernels that return zeros for the filter gradients while a synchronous gradient computation
 *   runs, so attacks do not pay for weight gradients they throw away.
 */
import * as tf from '@tensorflow/tfjs';
import { lazyFusedBatchNormGradConfig } from './batch-norm-gradient.ts';
import { wasmConvGradientKernels } from './wasm-conv-gradients.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type BackendLike = {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
};

/** Kernels the nsfwjs models' backward passes need that wasm lacks (tfjs 4.22). */
const ROUTED_TO_CPU = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'] as const;
const FILTER_GRADIENT_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'] as const;

const installed = new Set<string>();

/**
 * Makes the backward-pass kernels available on the active backend. initTfBackend calls it, so any
 * code that selected its backend through tf-backend.ts can train and differentiate. Idempotent;
 * returns what it installed.
 */
export function ensureGradientKernels(): string[] {
  if (tf.getGradient('FusedBatchNorm') !== lazyFusedBatchNormGradConfig) tf.registerGradient(lazyFusedBatchNormGradConfig);
  const backendName = tf.getBackend();
  if (backendName === 'cpu' || installed.has(backendName)) return [];
  installed.add(backendName);
  const done: string[] = [];
  const cpuRouted = (kernelName: string): tf.KernelConfig['kernelFunc'] => {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel) throw new Error(`tfjs cpu backend has no ${kernelName} kernel to route to`);
    return routeToCpu(cpuKernel.kernelFunc);
  };
  if (backendName === 'wasm') {
    const fallback = (kernelName: string) => tf.getKernel(kernelName, backendName)?.kernelFunc ?? cpuRouted(kernelName);
    for (const config of wasmConvGradientKernels(backendName, fallback)) {
      if (tf.getKernel(config.kernelName, backendName)) tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
      done.push(`${config.kernelName} (forward-convolution form)`);
    }
  }
  for (const kernelName of ROUTED_TO_CPU) {
    if (tf.getKernel(kernelName, backendName) !== undefined) continue;
    tf.registerKernel({ kernelName, backendName, kernelFunc: cpuRouted(kernelName) });
    done.push(`${kernelName} (cpu kernel)`);
  }
  return done;
}

/**
 * Runs a synchronous gradient computation with the filter-gradient kernels returning zeros on the
 * active backend, then restores them. Safe because `compute` is synchronous: nothing else can run
 * tfjs ops in between. Only for gradients with respect to inputs, never for training.
 */
export function withInputGradientsOnly<T>(compute: () => T): T {
  ensureGradientKernels();
  const backendName = tf.getBackend();
  const saved = FILTER_GRADIENT_KERNELS.map((kernelName) => tf.getKernel(kernelName, backendName));
  for (const kernelName of FILTER_GRADIENT_KERNELS) {
    if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc: zeroFilterGradient });
  }
  try {
    const result = compute();
    if (result instanceof Promise) throw new Error('withInputGradientsOnly needs a synchronous computation');
    return result;
  } finally {
    FILTER_GRADIENT_KERNELS.forEach((kernelName, i) => {
      tf.unregisterKernel(kernelName, backendName);
      const original = saved[i];
      if (original) tf.registerKernel(original);
    });
  }
}

const zeroFilterGradient: KernelFunc = ({ attrs, backend }) => {
  const filterShape = (attrs as { filterShape: number[] }).filterShape;
  const size = filterShape.reduce((a, b) => a * b, 1);
  const dataId = (backend as unknown as BackendLike).write(new Float32Array(size), filterShape, 'float32');
  return { dataId, shape: filterShape, dtype: 'float32' };
};

function routeToCpu(cpuKernelFunc: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpu = tf.findBackend('cpu') as unknown as BackendLike | null;
    if (!cpu) throw new Error('tfjs cpu backend is not available');
    const own = backend as unknown as BackendLike;
    const cpuInputs: Record<string, tf.TensorInfo> = {};
    const cpuData: object[] = [];
    for (const [name, info] of Object.entries(inputs)) {
      if (!info) continue;
      const dataId = cpu.write(own.readSync(info.dataId), info.shape, info.dtype);
      cpuData.push(dataId);
      cpuInputs[name] = { dataId, shape: info.shape, dtype: info.dtype };
    }
    try {
      const out = cpuKernelFunc({ inputs: cpuInputs, backend: cpu as unknown as tf.KernelBackend, attrs });
      const outs = Array.isArray(out) ? out : [out];
      const copied = outs.map((info) => {
        cpuData.push(info.dataId);
        return { dataId: own.write(cpu.readSync(info.dataId), info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
      });
      return Array.isArray(out) ? copied : copied[0];
    } finally {
      for (const dataId of cpuData) cpu.disposeData(dataId, true);
    }
  };
}
