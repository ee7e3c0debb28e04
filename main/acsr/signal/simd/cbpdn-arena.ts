import { type CbpdnBuffers, type CbpdnLayout } from '../cbpdn-kernels.ts';
import { allocateCbpdnBuffers } from '../cbpdn-engine.ts';
import { zeroPagesOnAnotherThread } from './zero-pages.ts';

/**
 * The CBPDN buffers of one solver laid out in a single shared WebAssembly memory, so that the
 * SIMD kernels (cbpdn-simd.wat) can address them and every worker thread of the parallel engine
 * sees the same data. Besides the buffers the memory holds the kernels' descriptor (15 i32: the
 * buffers' byte addresses and the sizes, as cbpdn-simd.wat reads them) and one scratch area per
 * thread that runs kernels. The memory never grows (views stay valid).
 */
export type ArenaBufferName = keyof CbpdnBuffers<Float32Array>;

export interface CbpdnArenaLayout {
  /** byte address and float32 length of every buffer */
  readonly buffers: Partial<Record<ArenaBufferName, { readonly at: number; readonly length: number }>>;
  readonly descriptor: number;
  /** one per kernel slot (thread) */
  readonly scratch: readonly number[];
  readonly bytes: number;
}

export interface CbpdnArena {
  readonly memory: WebAssembly.Memory;
  readonly layout: CbpdnArenaLayout;
  readonly buffers: CbpdnBuffers<Float32Array>;
  /** its shape (layout, l1 weights, slots): an idle arena serves the next engine of the same */
  readonly key: string;
}

/**
 * Frequencies per block of the SIMD Woodbury kernel (a multiple of 4). 256 rather than 128: each
 * atom's run of a block is then 1 KB contiguous per plane, which the prefetchers follow, and the
 * block's dictionary (3 x 64 x 256 complex float32, 393 KB) is small enough to stay in a 1 MB L2
 * (these machines' AMD EPYC family) for the second pass;
 * a 256x256 x-step took 9.1 ms at 128, 7.6 at 256, 8.2 at 512, 12.2 at 64.
 */
export const SIMD_BLOCK = 256;
const PAGE = 65536;
/** Past this the arena is not used and the engine keeps plain arrays with the JS kernels. */
export const MAX_ARENA_BYTES = 2 ** 31;

/**
 * Scratch bytes one thread needs: t (2 Cd BLOCK float64), the Cholesky factor, t in float32
 * (2 Cd BLOCK), and 7 sums.
 */
export function scratchBytes(layout: CbpdnLayout): number {
  const cd = layout.dictChannels;
  return 2 * cd * SIMD_BLOCK * 8 + 2 * cd * cd * 16 + 2 * cd * SIMD_BLOCK * 4 + 64;
}

export function planCbpdnArena(layout: CbpdnLayout, withL1Weight: boolean, slots: number): CbpdnArenaLayout {
  const names: ArenaBufferName[] = [];
  const lengths: number[] = [];
  // allocateCbpdnBuffers names the order; read it from a dry run
  const probe = allocateCbpdnBuffers(
    layout,
    (length) => {
      lengths.push(length);
      return new Float32Array(0);
    },
    withL1Weight,
  );
  for (const name of Object.keys(probe) as ArenaBufferName[]) names.push(name);
  let at = 64; // address 0 stays unused
  const buffers: CbpdnArenaLayout['buffers'] = {};
  names.forEach((name, i) => {
    buffers[name] = { at, length: lengths[i] };
    at = align(at + 4 * lengths[i]);
  });
  const descriptor = at;
  at = align(at + 15 * 4);
  const scratch: number[] = [];
  for (let s = 0; s < slots; s++) {
    scratch.push(at);
    at = align(at + scratchBytes(layout));
  }
  return { buffers, descriptor, scratch, bytes: at };
}

export function createCbpdnArena(layout: CbpdnLayout, withL1Weight: boolean, slots: number): CbpdnArena | null {
  const plan = planCbpdnArena(layout, withL1Weight, slots);
  if (plan.bytes > MAX_ARENA_BYTES) return null;
  const key = arenaKey(layout, withL1Weight, slots);
  const idle = idleArenas.get(key)?.pop();
  if (idle) {
    // exactly as a new memory starts: all zeros (a prewarmed arena already is), then the descriptor
    if (!blankArenas.delete(idle)) new Uint8Array(idle.memory.buffer).fill(0);
    writeDescriptor(idle, layout);
    return idle;
  }
  const pages = Math.ceil(plan.bytes / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const arena = { memory, layout: plan, buffers: viewCbpdnArena(memory, plan), key };
  writeDescriptor(arena, layout);
  return arena;
}

/**
 * Arenas of disposed engines, kept for the next engine of the same shape. Memory a process has
 * never touched is costly to touch on this project's virtual machines (page faults, about 3 ms
 * per megabyte): a new arena for a 256 x 256 tile with 32 RGB atoms (~70 MB) cost ~200 ms on
 * its first iteration, more than 10 iterations themselves, and every image of a batch made new
 * ones. A recycled arena is zeroed (a few ms), so an engine cannot tell it from a new one.
 */
const idleArenas = new Map<string, CbpdnArena[]>();
/** Idle arenas kept per shape: as many as engines of one shape ran at once, within reason. */
const MAX_IDLE_PER_SHAPE = 4;

/**
 * Gives an arena back once nothing uses it any more (its engine disposed, every worker that
 * viewed it released or ended). An arena a failed worker may still write to must not come back.
 */
export function recycleCbpdnArena(arena: CbpdnArena): void {
  const { key } = arena;
  const idle = idleArenas.get(key) ?? [];
  if (idle.length >= MAX_IDLE_PER_SHAPE || idle.includes(arena)) return;
  idle.push(arena);
  idleArenas.set(key, idle);
}

/** Idle arenas never used since their pages were zeroed (prewarmCbpdnArena): no need to zero them again. */
const blankArenas = new WeakSet<CbpdnArena>();

/**
 * Makes the arena an engine of this shape will ask for, with every page touched on another
 * thread, and keeps it idle for that engine. A caller that knows the shape before it can start
 * coding (a lone image, while its models load) takes the ~3 ms per megabyte of first touches off
 * its path. Resolves with its memory once the arena is ready (null for one too large for an
 * arena); an engine that asks earlier makes its own.
 */
export async function prewarmCbpdnArena(layout: CbpdnLayout, withL1Weight: boolean, slots: number): Promise<WebAssembly.Memory | null> {
  const arena = createCbpdnArena(layout, withL1Weight, slots);
  if (!arena) return null;
  await zeroPagesOnAnotherThread(arena.memory.buffer);
  blankArenas.add(arena);
  recycleCbpdnArena(arena);
  return arena.memory;
}

/** Drops every idle arena (their memory goes with the next garbage collection). */
export function releaseIdleCbpdnArenas(): void {
  idleArenas.clear();
}

function arenaKey(layout: CbpdnLayout, withL1Weight: boolean, slots: number): string {
  const { groups, dictChannels, atoms, height, width, spectrumWidth, linearSolver } = layout;
  return JSON.stringify([groups, dictChannels, atoms, height, width, spectrumWidth, linearSolver ?? null, withL1Weight, slots]);
}

/** The buffers as float32 views on an arena's memory (in a worker, on the memory it was sent). */
export function viewCbpdnArena(memory: WebAssembly.Memory, plan: CbpdnArenaLayout): CbpdnBuffers<Float32Array> {
  const views: Partial<Record<ArenaBufferName, Float32Array>> = {};
  for (const [name, place] of Object.entries(plan.buffers) as [ArenaBufferName, { at: number; length: number }][]) {
    views[name] = new Float32Array(memory.buffer, place.at, place.length);
  }
  return views as CbpdnBuffers<Float32Array>;
}

function writeDescriptor(arena: CbpdnArena, layout: CbpdnLayout): void {
  const b = arena.layout.buffers;
  const at = (name: ArenaBufferName) => b[name]?.at ?? 0;
  const fields = [
    at('dictRe'),
    at('dictIm'),
    at('dictSignalRe'),
    at('dictSignalIm'),
    at('factorRe'),
    at('factorIm'),
    at('spectrumRe'),
    at('spectrumIm'),
    at('signalRe'),
    at('signalIm'),
    layout.height * layout.spectrumWidth,
    layout.atoms,
    layout.dictChannels,
    layout.width,
    layout.spectrumWidth,
  ];
  new Int32Array(arena.memory.buffer, arena.layout.descriptor, fields.length).set(fields);
}

function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
