/**
 * PDQ perceptual hashing (Meta's facebook/ThreatExchange pdq/), the public entry points.
 * The algorithm's steps live in the sibling files; this file only wires them together.
 */
import type { RasterImage } from '../io/image.ts';

export interface PdqHash {
  /** 64 lowercase hex characters, as the reference implementations print the 256-bit hash. */
  hash: string;
  /** 0..100; the reference advises discarding hashes of quality 49 or less. */
  quality: number;
}

/** The eight dihedral variants, named as in the reference (pdqhashing.cpp). */
export interface PdqDihedralHashes {
  original: PdqHash;
  rotate90: PdqHash;
  rotate180: PdqHash;
  rotate270: PdqHash;
  flipX: PdqHash;
  flipY: PdqHash;
  flipPlus1: PdqHash;
  flipMinus1: PdqHash;
}

export function computePdq(image: RasterImage): PdqHash {
  throw new Error(`computePdq: not implemented yet (${image.width} x ${image.height})`);
}

export function computePdqDihedral(image: RasterImage): PdqDihedralHashes {
  throw new Error(`computePdqDihedral: not implemented yet (${image.width} x ${image.height})`);
}

/** Number of differing bits between two 64-hex-character hashes. */
export function pdqHammingDistance(a: string, b: string): number {
  throw new Error(`pdqHammingDistance: not implemented yet (${a.length}, ${b.length})`);
}

/** Decodes with main/io/image.ts (EXIF orientation applied) as RGB, then hashes. */
export async function computePdqOfFile(path: string): Promise<PdqHash> {
  throw new Error(`computePdqOfFile: not implemented yet (${path})`);
}
