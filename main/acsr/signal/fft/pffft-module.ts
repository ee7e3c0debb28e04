import { readFileSync } from 'node:fs';
import createPffftSimdInstance from '@echogarden/pffft-wasm/simd';
import createPffftScalarInstance from '@echogarden/pffft-wasm';

/** The part of PFFFT's Emscripten export surface this project uses (see pffft.h in the package). */
export interface PffftModule {
  /** Current view of linear memory; replaced by Emscripten whenever malloc grows the memory. */
  readonly HEAPF32: Float32Array;
  /** transform 0 = PFFFT_REAL, 1 = PFFFT_COMPLEX; returns 0 for unsupported lengths. */
  _pffft_new_setup(length: number, transform: number): number;
  /** direction 0 = forward, 1 = backward; input and output may alias. */
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_simd_size(): number;
}

export interface LoadedPffft {
  readonly module: PffftModule;
  /** The instance's linear memory, which other WASM modules can import to work on its buffers. */
  readonly memory: WebAssembly.Memory;
}

export const PFFFT_REAL = 0;
export const PFFFT_COMPLEX = 1;
export const PFFFT_FORWARD = 0;
export const PFFFT_BACKWARD = 1;

type EmscriptenFactory = (overrides?: object) => Promise<unknown>;

const BUILDS = {
  simd: { factory: createPffftSimdInstance as EmscriptenFactory, specifier: '@echogarden/pffft-wasm/simd' },
  scalar: { factory: createPffftScalarInstance as EmscriptenFactory, specifier: '@echogarden/pffft-wasm' },
} as const;

// Compiled once per thread and build; every instance gets its own memory.
const compiled = new Map<keyof typeof BUILDS, WebAssembly.Module>();

function compiledBuild(build: keyof typeof BUILDS): WebAssembly.Module {
  let wasmModule = compiled.get(build);
  if (!wasmModule) {
    // pffft.wasm sits next to the glue script the package exports; read from disk, never fetched.
    const wasmUrl = new URL('pffft.wasm', import.meta.resolve(BUILDS[build].specifier));
    wasmModule = new WebAssembly.Module(readFileSync(wasmUrl));
    compiled.set(build, wasmModule);
  }
  return wasmModule;
}

/**
 * A private PFFFT instance with its own memory, so instances never share scratch and each worker
 * thread can own one. Instantiation goes through Emscripten's instantiateWasm hook, which is how
 * the memory object is obtained (the glue does not export it) and how the compile is cached.
 * 'scalar' is the package's non-SIMD build, kept for benchmarks.
 */
export async function loadPffftModule(build: keyof typeof BUILDS = 'simd'): Promise<LoadedPffft> {
  const wasmModule = compiledBuild(build);
  let memory: WebAssembly.Memory | undefined;
  const module = (await BUILDS[build].factory({
    instantiateWasm(imports: WebAssembly.Imports, receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): WebAssembly.Exports {
      const instance = new WebAssembly.Instance(wasmModule, imports);
      memory = Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory);
      receiveInstance(instance, wasmModule);
      return instance.exports;
    },
  })) as PffftModule;
  if (!memory) throw new Error('PFFFT instance exports no memory');
  if (build === 'simd' && module._pffft_simd_size() !== 4) throw new Error('PFFFT SIMD build did not report 4-wide vectors');
  return { module, memory };
}
