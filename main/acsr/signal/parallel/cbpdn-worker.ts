import { parentPort } from 'node:worker_threads';
import { createFastRealFft2d } from '../fft/fast-real-fft2d.ts';
import type { RealFft2d } from '../fft/real-fft2d.ts';
import { type CbpdnBuffers, type CbpdnLayout, dataFidelityKernel, dictSignalKernel, scaleDualKernel } from '../cbpdn-kernels.ts';
import { type IterationKernels, ScalarIterationKernels } from '../iteration-kernels.ts';
import { viewCbpdnArena } from '../simd/cbpdn-arena.ts';
import { SimdIterationKernels } from '../simd/simd-iteration-kernels.ts';
import { factorsDependOnRho, xStepFactorsKernel } from '../x-step.ts';
import {
  type CodeAndRebuildCommand,
  type CodeAndRebuildMessage,
  TILE_PROGRESS_EVERY,
  type WorkerCommand,
  type WorkerInit,
  type WorkerReply,
} from './cbpdn-worker-protocol.ts';

/**
 * One worker of the parallel CBPDN engine: it owns a slice of the coefficient planes (for the
 * DFTs and the y/u-steps) and a slice of the frequencies (for the x-step's solve), and runs the
 * same kernels as the serial engine on the shared buffers.
 */
if (!parentPort) throw new Error('cbpdn-worker must run in a worker thread');
const port = parentPort;

let layout: CbpdnLayout;
let buffers: CbpdnBuffers<Float32Array>;
let fft: RealFft2d<Float32Array>;
let p0 = 0,
  p1 = 0,
  f0 = 0,
  f1 = 0;
let planeSize = 0;
let kernels: IterationKernels;

port.on('message', (command: WorkerCommand | CodeAndRebuildCommand) => {
  if (command.op === 'codeAndRebuild') {
    void codeAndRebuildHere(command);
    return;
  }
  if (command.op !== 'init') {
    port.postMessage(run(command));
    return;
  }
  init(command).then(
    () => port.postMessage({ ok: true } satisfies WorkerReply),
    (error) => port.postMessage({ ok: false, error: String((error as Error)?.stack ?? error) } satisfies WorkerReply),
  );
});

/** A worker serves one solver at a time; a pooled worker is initialised again for the next. */
async function init(command: WorkerInit): Promise<void> {
  layout = command.layout;
  if (command.arena) {
    buffers = viewCbpdnArena(command.arena.memory, command.arena.plan);
    kernels = new SimdIterationKernels(layout, buffers, command.arena.memory, command.arena.plan, command.arena.slot);
  } else {
    buffers = sharedBufferViews(command.buffers ?? {});
    kernels = new ScalarIterationKernels(layout, buffers);
  }
  [p0, p1] = command.planes;
  [f0, f1] = command.frequencies;
  fft = await fftFor(layout.height, layout.width);
  planeSize = layout.height * layout.width;
}

// tiles of one size follow each other: the plan of the last size is kept
let lastFft: { key: string; fft: RealFft2d<Float32Array> } | undefined;
async function fftFor(height: number, width: number): Promise<RealFft2d<Float32Array>> {
  const key = `${height}x${width}`;
  if (lastFft?.key !== key) lastFft = { key, fft: await createFastRealFft2d(height, width) };
  return lastFft.fft;
}

function release(): void {
  // the views keep the solver's shared memory alive; empty ones let it go
  const empty = new Float32Array(0);
  buffers = {
    dictRe: empty,
    dictIm: empty,
    signalRe: empty,
    signalIm: empty,
    dictSignalRe: empty,
    dictSignalIm: empty,
    factorRe: empty,
    factorIm: empty,
    deltaRe: empty,
    deltaIm: empty,
    spectrumRe: empty,
    spectrumIm: empty,
    x: empty,
    y: empty,
    u: empty,
  };
  kernels = new ScalarIterationKernels(layout, buffers);
}

function sharedBufferViews(shared: NonNullable<WorkerInit['buffers']>): CbpdnBuffers<Float32Array> {
  const view = (name: keyof typeof shared) => {
    const sab = shared[name];
    return sab ? new Float32Array(sab) : new Float32Array(0);
  };
  return {
    dictRe: view('dictRe'),
    dictIm: view('dictIm'),
    signalRe: view('signalRe'),
    signalIm: view('signalIm'),
    dictSignalRe: view('dictSignalRe'),
    dictSignalIm: view('dictSignalIm'),
    factorRe: view('factorRe'),
    factorIm: view('factorIm'),
    deltaRe: view('deltaRe'),
    deltaIm: view('deltaIm'),
    spectrumRe: view('spectrumRe'),
    spectrumIm: view('spectrumIm'),
    x: view('x'),
    y: view('y'),
    u: view('u'),
    ...(shared.l1Weight ? { l1Weight: view('l1Weight') } : {}),
  };
}

function spectrumSlice(array: Float32Array, from: number, to: number): Float32Array {
  const F = layout.height * layout.spectrumWidth;
  return array.subarray(from * F, to * F);
}

function planeSlice(array: Float32Array, from: number, to: number): Float32Array {
  return array.subarray(from * planeSize, to * planeSize);
}

function run(command: WorkerCommand): WorkerReply {
  try {
    const b = buffers;
    switch (command.op) {
      case 'release':
        release();
        return { ok: true };
      case 'prepare':
        dictSignalKernel(layout, b, f0, f1);
        if (!command.sameDictionary || factorsDependOnRho(layout)) xStepFactorsKernel(layout, b, command.rho, f0, f1);
        return { ok: true };
      case 'refactor':
        if (factorsDependOnRho(layout)) xStepFactorsKernel(layout, b, command.rho, f0, f1);
        return { ok: true };
      case 'forwardRhs':
        kernels.yMinusU(p0, p1);
        fft.forward(planeSlice(b.x, p0, p1), spectrumSlice(b.spectrumRe, p0, p1), spectrumSlice(b.spectrumIm, p0, p1), p1 - p0);
        return { ok: true };
      case 'solve': {
        const value = kernels.xStepSolve(command.rho, f0, f1, command.dataFidelity);
        return { ok: true, value };
      }
      case 'inverseAndUpdate':
        fft.inverse(spectrumSlice(b.spectrumRe, p0, p1), spectrumSlice(b.spectrumIm, p0, p1), planeSlice(b.x, p0, p1), p1 - p0);
        return { ok: true, sums: kernels.yuStep(command.relaxation, command.threshold, p0, p1) };
      case 'forwardY':
        fft.forward(planeSlice(b.y, p0, p1), spectrumSlice(b.spectrumRe, p0, p1), spectrumSlice(b.spectrumIm, p0, p1), p1 - p0);
        return { ok: true };
      case 'dataFidelity':
        return { ok: true, value: dataFidelityKernel(layout, b, b.spectrumRe, b.spectrumIm, f0, f1) };
      case 'scaleDual':
        scaleDualKernel(layout, b, command.factor, p0, p1);
        return { ok: true };
      default:
        return { ok: false, error: `unexpected command ${command.op}` };
    }
  } catch (error) {
    return { ok: false, error: String((error as Error)?.stack ?? error) };
  }
}

/**
 * Whole tiles coded here, on an engine of this thread kept for the next tile of the same shape
 * (its memory and the dictionary's spectrum reused). The modules load on the first tile: a worker
 * lent only to parallel engines never needs them.
 */
let tileEngines:
  Promise<{ pool: import('../tile-engine-pool.ts').TileEnginePool; codeAndRebuild: typeof import('../code-and-rebuild.ts').codeAndRebuild }> | undefined;

async function codeAndRebuildHere(command: CodeAndRebuildCommand): Promise<void> {
  const controller = new AbortController();
  const checkCancel = () => {
    if (Atomics.load(command.cancel, 0) !== 0) controller.abort(new Error('cancelled'));
  };
  try {
    tileEngines ??= (async () => {
      const [{ TileEnginePool }, { fastEngineFactory }, { codeAndRebuild }] = await Promise.all([
        import('../tile-engine-pool.ts'),
        import('./parallel-cbpdn-engine.ts'),
        import('../code-and-rebuild.ts'),
      ]);
      return { pool: new TileEnginePool(fastEngineFactory(1)), codeAndRebuild };
    })();
    const { pool, codeAndRebuild } = await tileEngines;
    let engine = '';
    const coding = await codeAndRebuild(
      command.request,
      async (layout, withL1Weight) => {
        const borrowed = await pool.factory(layout, withL1Weight);
        // the serial engine names where it runs as the main thread: here it is this worker
        engine = (borrowed.description ?? 'CBPDN engine').replace(/^main thread/, '1 worker thread');
        return borrowed;
      },
      controller.signal,
      (done) => {
        checkCancel();
        if (done % TILE_PROGRESS_EVERY === 0) port.postMessage({ op: 'iterations', done } satisfies CodeAndRebuildMessage);
      },
    );
    const reply: CodeAndRebuildMessage = { op: 'coded', ok: true, coding, engine };
    port.postMessage(reply, [coding.reconstruction.buffer as ArrayBuffer]);
  } catch (error) {
    const reply: CodeAndRebuildMessage = {
      op: 'coded',
      ok: false,
      cancelled: controller.signal.aborted,
      error: String((error as Error)?.stack ?? error),
    };
    port.postMessage(reply);
  }
}
