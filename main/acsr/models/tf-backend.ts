/**
 * Picks the TensorFlow.js backend once per process, fastest first: tfjs-node-gpu (CUDA), tfjs-node
 * (native libtensorflow), wasm, then the pure-JS cpu backend. The native packages are optional
 * (their install downloads libtensorflow, impossible offline), so they are imported dynamically and
 * any failure just moves on to the next candidate. The outcome, with the reason each faster
 * candidate was skipped, is reported because results differ slightly between backends.
 *
 * ACSR_TF_BACKEND=tensorflow-gpu|tensorflow|wasm|cpu forces one (tfjs-node's backend is named
 * 'tensorflow' whether it runs on the GPU or not).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { UserInputError } from '../../errors/user-input-error.ts';
import { ensureGradientKernels } from './gradient-kernels.ts';

export type TfBackendChoice = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const TF_BACKEND_CHOICES: readonly TfBackendChoice[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
export const TF_BACKEND_ENV = 'ACSR_TF_BACKEND';

export interface TfBackendReport {
  /** tfjs's own name for the active backend: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** Which candidate won, so a CUDA run is distinguishable from a CPU tfjs-node run. */
  choice: TfBackendChoice;
  /** Why each faster candidate was not used. */
  skipped: { choice: TfBackendChoice; reason: string }[];
  tfjsVersion: string;
  forcedBy?: string;
}

let selected: Promise<TfBackendReport> | undefined;

/** Idempotent: the first call decides for the whole process (tfjs has one global engine). */
export function initTfBackend(options: { force?: TfBackendChoice } = {}): Promise<TfBackendReport> {
  // Through a promise, so that a bad ACSR_TF_BACKEND is a rejection like any other start-up failure.
  selected ??= Promise.resolve().then(() => selectBackend(options.force ?? parseForcedBackend(process.env[TF_BACKEND_ENV])));
  return selected;
}

/** The report of the backend already chosen; throws if initTfBackend has not completed. */
export async function currentTfBackend(): Promise<TfBackendReport> {
  if (!selected) throw new Error('initTfBackend() has not been called');
  return selected;
}

function parseForcedBackend(value: string | undefined): TfBackendChoice | undefined {
  if (value === undefined || value === '') return undefined;
  if ((TF_BACKEND_CHOICES as readonly string[]).includes(value)) return value as TfBackendChoice;
  throw new UserInputError(`${TF_BACKEND_ENV}='${value}' is not one of ${TF_BACKEND_CHOICES.join(', ')}`);
}

async function selectBackend(forced: TfBackendChoice | undefined): Promise<TfBackendReport> {
  const candidates = forced ? [forced] : TF_BACKEND_CHOICES;
  const skipped: TfBackendReport['skipped'] = [];
  for (const choice of candidates) {
    try {
      const name = await activate(choice);
      // So that training and attacks work on whichever backend won (wasm lacks several kernels).
      ensureGradientKernels();
      return {
        name,
        choice,
        skipped,
        tfjsVersion: tf.version.tfjs,
        ...(forced ? { forcedBy: `${TF_BACKEND_ENV}=${forced}` } : {}),
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      if (forced) throw new UserInputError(`${TF_BACKEND_ENV}=${forced}: backend unavailable: ${reason}`);
      skipped.push({ choice, reason });
    }
  }
  throw new Error(`no TensorFlow.js backend could be started: ${JSON.stringify(skipped)}`);
}

async function activate(choice: TfBackendChoice): Promise<string> {
  switch (choice) {
    case 'tensorflow-gpu':
      if (!cudaDevicePresent()) throw new Error('no NVIDIA device visible');
      await importOptional('@tensorflow/tfjs-node-gpu');
      return setBackendOrThrow('tensorflow');
    case 'tensorflow':
      await importOptional('@tensorflow/tfjs-node');
      return setBackendOrThrow('tensorflow');
    case 'wasm':
      // Emscripten would otherwise look for the .wasm next to the bundle or fetch it: point it at
      // the installed package so nothing touches the network.
      setWasmPaths(wasmBinaryFolder());
      return withoutEmscriptenProcessHandlers(() => setBackendOrThrow('wasm'));
    case 'cpu':
      return setBackendOrThrow('cpu');
  }
}

async function setBackendOrThrow(name: string): Promise<string> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  return tf.getBackend();
}

/**
 * Emscripten's node glue installs uncaughtException/unhandledRejection handlers that rethrow from
 * inside its minified bundle, so every later unrelated error is printed with a 30 kB source line.
 * Node's default handling is the same minus that noise, so the handlers are removed again.
 */
async function withoutEmscriptenProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  // Typed loosely: the two events' listener signatures differ and only identity matters here.
  const emitter = process as unknown as {
    listeners(event: string): ((...args: unknown[]) => void)[];
    removeListener(event: string, listener: (...args: unknown[]) => void): void;
  };
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await start();
  } finally {
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener);
      }
    }
  }
}

/** A variable specifier keeps TypeScript from requiring the optional packages' types. */
async function importOptional(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`${specifier} not loadable (${message})`, { cause: error });
  }
}

function cudaDevicePresent(): boolean {
  if (process.platform === 'linux') return existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia/version');
  // Elsewhere there is no cheap probe; tfjs-node-gpu itself fails to load without CUDA.
  return process.platform === 'win32';
}

function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const folder = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  return folder + path.sep;
}
