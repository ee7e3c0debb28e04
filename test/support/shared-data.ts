import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, and the shared/ folder that every checkout (and CI) has beside it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.ACSR_SHARED_DIR ?? path.resolve(repoRoot, '../shared');

if (!existsSync(sharedDir)) {
  throw new Error(`shared data folder not found at ${sharedDir} (set ACSR_SHARED_DIR)`);
}

export const photosDir = path.join(sharedDir, 'data/photos');
export const fashionMnistDir = path.join(sharedDir, 'data/fashion-mnist');
export const sporcoReferenceDir = path.join(sharedDir, 'reference/sporco');
export const pdqReferenceDir = path.join(sharedDir, 'reference/pdq');

export interface ReferenceArray {
  shape: number[];
  data: Float64Array;
}

export interface SporcoReference {
  name: string;
  params: Record<string, any>;
  arrays: Record<string, ReferenceArray>;
  itstat: Record<string, number[]>;
  iterations?: number;
}

export function loadSporcoReference(name: string): SporcoReference {
  const raw = JSON.parse(readFileSync(path.join(sporcoReferenceDir, `${name}.json`), 'utf8'));
  const arrays: Record<string, ReferenceArray> = {};
  for (const [key, value] of Object.entries<any>(raw.arrays)) {
    arrays[key] = { shape: value.shape, data: Float64Array.from(value.data.flat(Infinity)) };
  }
  return { name: raw.name, params: raw.params, arrays, itstat: raw.itstat ?? {}, iterations: raw.iterations };
}

export function sporcoReferenceNames(): string[] {
  return readdirSync(sporcoReferenceDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** max |a - b| / max(|b|_inf, tiny): the relative agreement measure used by the conformance tests. */
export function relativeMaxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-300);
}
