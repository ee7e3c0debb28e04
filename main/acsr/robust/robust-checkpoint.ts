/**
 * Per-epoch checkpoints of stage ii: everything an uninterrupted run would carry into the next
 * epoch, so that `--resume` after a crash or a cancel continues bit for bit on the same backend.
 *
 *   <dir>/epoch-0003/state.json   epoch, run fingerprint, history, Adam step, random state,
 *                                 weight layout and the SHA-256 of both binary files
 *   <dir>/epoch-0003/weights.bin  every network weight (trained or not), float32, in network.weights order
 *   <dir>/epoch-0003/adam.bin     Adam's m then v for every trained variable, float32
 *
 * The random state is (seed, next epoch): every random choice (the epoch's shuffle, each batch's
 * PGD start) derives from the seed and its epoch/batch numbers, never from a running generator,
 * so nothing else needs saving. A checkpoint folder is written under a temporary name, synced and
 * renamed: a folder named epoch-NNNN is complete. A mid-epoch cancel leaves the previous epoch's.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFolderAtomic, writeSynced } from '../../io/atomic-folder.ts';
import { sha256Hex } from '../../io/hashing.ts';

export const CHECKPOINT_FORMAT = 'acsr-robust-checkpoint';

export interface EpochSummary {
  readonly epoch: number;
  readonly loss: number;
  readonly crossEntropy: number;
  /** ||theta||^2 at the epoch's end */
  readonly squaredNorm: number;
  readonly meanDistance: number;
  /** inference-mode accuracy on the clean batches, measured just before each step */
  readonly cleanAccuracy: number;
  /** accuracy on the PGD examples the epoch trained on */
  readonly pgdAccuracy: number;
  readonly seconds: number;
}

export interface CheckpointState {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** epochs completed */
  readonly epoch: number;
  /** what the run was started with; a resume with anything else is refused */
  readonly fingerprint: Record<string, unknown>;
  readonly history: EpochSummary[];
  readonly random: { seed: number; nextEpoch: number; derivation: string };
  readonly adamStep: number;
  readonly weights: { name: string; shape: number[] }[];
  readonly adamVariables: { name: string; shape: number[] }[];
  readonly files: { 'weights.bin': string; 'adam.bin': string };
}

export interface CheckpointContent {
  readonly state: Omit<CheckpointState, 'files' | 'format'>;
  readonly weights: readonly Float32Array[];
  readonly adam: { m: readonly Float32Array[]; v: readonly Float32Array[] };
}

export function checkpointFolderName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

export async function writeCheckpoint(dir: string, content: CheckpointContent): Promise<string> {
  const target = path.join(dir, checkpointFolderName(content.state.epoch));
  await writeFolderAtomic(
    target,
    async (temp) => {
      const weights = joinFloats(content.weights);
      const adam = joinFloats([...content.adam.m, ...content.adam.v]);
      await writeSynced(path.join(temp, 'weights.bin'), weights);
      await writeSynced(path.join(temp, 'adam.bin'), adam);
      const state: CheckpointState = { format: CHECKPOINT_FORMAT, ...content.state, files: { 'weights.bin': sha256Hex(weights), 'adam.bin': sha256Hex(adam) } };
      await writeSynced(path.join(temp, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    },
    { existing: 'replace' },
  ); // a re-run epoch after a resume replaces its own
  return target;
}

/** The newest complete checkpoint in `dir`, or undefined when there is none. */
export async function latestCheckpoint(dir: string): Promise<{ folder: string; epoch: number } | undefined> {
  if (!existsSync(dir)) return undefined;
  const epochs = (await readdir(dir)).flatMap((name) => {
    const match = /^epoch-(\d{4,})$/.exec(name);
    return match ? [Number(match[1])] : [];
  });
  if (epochs.length === 0) return undefined;
  const epoch = Math.max(...epochs);
  return { folder: path.join(dir, checkpointFolderName(epoch)), epoch };
}

/** Reads a checkpoint and refuses it unless both binary files have their recorded SHA-256. */
export async function readCheckpoint(
  folder: string,
): Promise<{ state: CheckpointState; weights: Float32Array[]; adam: { m: Float32Array[]; v: Float32Array[] } }> {
  const state = JSON.parse(await readFile(path.join(folder, 'state.json'), 'utf8')) as CheckpointState;
  if (state.format !== CHECKPOINT_FORMAT) throw new UserInputError(`${folder}: not a robust-training checkpoint`);
  const read = async (file: 'weights.bin' | 'adam.bin') => {
    const bytes = await readFile(path.join(folder, file));
    if (sha256Hex(bytes) !== state.files[file])
      throw new UserInputError(`${folder}/${file} does not have the SHA-256 its state.json records; the checkpoint is damaged`);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  const weights = splitFloats(await read('weights.bin'), state.weights);
  const adamAll = splitFloats(await read('adam.bin'), [...state.adamVariables, ...state.adamVariables]);
  const half = state.adamVariables.length;
  return { state, weights, adam: { m: adamAll.slice(0, half), v: adamAll.slice(half) } };
}

function joinFloats(parts: readonly Float32Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(joined.buffer);
}

function splitFloats(all: Float32Array, layout: readonly { shape: number[] }[]): Float32Array[] {
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const { shape } of layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    parts.push(all.slice(offset, offset + size));
    offset += size;
  }
  if (offset !== all.length) throw new UserInputError(`checkpoint holds ${all.length} values, its layout ${offset}`);
  return parts;
}
