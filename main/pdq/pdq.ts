/**
 * PDQ perceptual hashing (Meta's facebook/ThreatExchange pdq/), the public entry points.
 *
 * Steps, each in its own file, as the Python reference (pdq_hasher.py) runs them: PIL's
 * thumbnail to fit 512 x 512 -> Rec. 601 luma -> Jarosz tent filter and decimation to 64 x 64 ->
 * quality metric -> 16 x 16 DCT -> a bit per coefficient above the median. The Python reference
 * is followed because the conformance hashes are its test suite's (and match it bit for bit,
 * where the C++ file hasher's pre-resize leaves 4 to 8 bits of difference): its core (filter, DCT,
 * median, bits, dihedral signs) is the C++ reference's, but the C++ file hasher squashes pictures
 * larger than 512 to exactly 512 x 512 by nearest neighbour instead of PIL's thumbnail.
 * Run against Pillow 9.4 on 28 pictures (the shared photos, 2600-4032 px JPEGs, grey, palette and
 * 16-bit PNGs), this gives identical hashes and qualities.
 */
import type { ImageArray } from '../acsr/array/image-array.ts';
import { dct64To16 } from './dct.ts';
import { DIHEDRAL_NAMES, dihedralDctBlock, type DihedralName } from './dihedral.ts';
import { formatHashWords, hammingDistanceOfWords, hashWordsFromDct, parseHashHex } from './hash-bits.ts';
import { downsampleTo64 } from './jarosz-filter.ts';
import { bytesFromRaster, lumaFromBytes } from './luma.ts';
import { pilThumbnail, type BytePlane } from './pil-thumbnail.ts';
import { readBytePlaneForPdq } from './pdq-input.ts';
import { pdqQuality } from './quality.ts';

export interface PdqHash {
  /** 64 lowercase hex characters, as the reference implementations print the 256-bit hash. */
  hash: string;
  /** 0..100; the reference advises discarding hashes of quality 49 or less. */
  quality: number;
}

/** The eight dihedral variants, named as in the reference (pdqhashing.cpp). */
export type PdqDihedralHashes = Record<DihedralName, PdqHash>;

/** Two hashes this close or closer are taken as the same picture (the reference's threshold). */
export const PDQ_MATCH_THRESHOLD = 31;
/** Hashes of this quality or lower are unreliable; the reference discards them. */
export const PDQ_QUALITY_DISCARD_AT_OR_BELOW = 49;

// The C++ reference's guard (pdqHash256FromFloatLuma): a picture this small has no structure to
// hash, so it gets the all-zero hash and quality 0 rather than noise. (The Python one has no guard.)
const MIN_HASHABLE_DIM = 5;

export function computePdq(image: ImageArray): PdqHash {
  return computePdqOfBytes(bytesFromRaster(image));
}

/**
 * The same hash from 8-bit samples (1 or 3 channels), for callers that have them: a decoded
 * file's bytes need no round trip through computePdq's [0, 1] floats.
 */
export function computePdqOfBytes(plane: BytePlane): PdqHash {
  const { block, quality } = dctBlockOf(plane);
  return { hash: formatHashWords(block ? hashWordsFromDct(block) : new Uint16Array(16)), quality };
}

/**
 * All eight from one DCT, as the reference does: each equals, up to rounding, the hash of the
 * picture rotated or flipped that way.
 */
export function computePdqDihedral(image: ImageArray): PdqDihedralHashes {
  return computePdqDihedralOfBytes(bytesFromRaster(image));
}

export function computePdqDihedralOfBytes(plane: BytePlane): PdqDihedralHashes {
  const { block, quality } = dctBlockOf(plane);
  const hashes = {} as PdqDihedralHashes;
  for (const name of DIHEDRAL_NAMES) {
    const words = block ? hashWordsFromDct(dihedralDctBlock(block, name)) : new Uint16Array(16);
    hashes[name] = { hash: formatHashWords(words), quality };
  }
  return hashes;
}

/** Number of differing bits between two 64-hex-character hashes; UserInputError if either is malformed. */
export function pdqHammingDistance(a: string, b: string): number {
  return hammingDistanceOfWords(parseHashHex(a), parseHashHex(b));
}

/** Decodes with main/io/image.ts (EXIF orientation applied) to 8-bit samples, then hashes (see pdq-input.ts). */
export async function computePdqOfFile(path: string): Promise<PdqHash> {
  return computePdqOfBytes(await readBytePlaneForPdq(path));
}

/** Also for callers that want both the plain hash and the variants from one decode. */
export async function computePdqDihedralOfFile(path: string): Promise<PdqDihedralHashes> {
  return computePdqDihedralOfBytes(await readBytePlaneForPdq(path));
}

// Reused from picture to picture (module scope is per thread), like the filter's scratch: the
// luma is dead once downsampleTo64 has decimated it.
let lumaBuffer = new Float64Array(0);

/** The 16 x 16 DCT block (null for pictures too small to hash, which get hash 0 and quality 0). */
function dctBlockOf(plane: BytePlane): { block: Float64Array | null; quality: number } {
  if (plane.cols < MIN_HASHABLE_DIM || plane.rows < MIN_HASHABLE_DIM) return { block: null, quality: 0 };
  const thumbnail = pilThumbnail(plane);
  if (lumaBuffer.length < thumbnail.rows * thumbnail.cols) lumaBuffer = new Float64Array(thumbnail.rows * thumbnail.cols);
  const luma = lumaFromBytes(thumbnail, lumaBuffer);
  const buffer64x64 = downsampleTo64(luma.data, luma.rows, luma.cols);
  return { block: dct64To16(buffer64x64), quality: pdqQuality(buffer64x64) };
}
