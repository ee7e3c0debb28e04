/**
 * Hashes of the picture's eight rotations and reflections without recomputing anything: mirroring
 * a side of length N maps DCT-II basis k to (-1)^k times itself, and a transpose swaps the block's
 * axes. The reference's block starts at frequency 1, so its row/column index i carries the sign
 * (-1)^(i+1). Sign patterns as in pdqhashing.cpp:
 *
 *   original  rotate90  rotate180  rotate270  flipX    flipY    flipPlus1  flipMinus1
 *   as is     xpose     as is      xpose      as is    as is    xpose      xpose
 *   + + + +   - + - +   + - + -    - - - -    - - - -  - + - +  + + + +    + - + -
 *   + + + +   - + - +   - + - +    + + + +    + + + +  - + - +  + + + +    - + - +
 */
export const DIHEDRAL_NAMES = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'] as const;

export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

interface DihedralRule {
  transpose: boolean;
  /** Whether coefficient (i, j) of the original changes sign. */
  negate(i: number, j: number): boolean;
}

const RULES: Record<DihedralName, DihedralRule> = {
  original: { transpose: false, negate: () => false },
  rotate90: { transpose: true, negate: (_i, j) => (j & 1) === 0 },
  rotate180: { transpose: false, negate: (i, j) => ((i + j) & 1) === 1 },
  rotate270: { transpose: true, negate: (i) => (i & 1) === 0 },
  flipX: { transpose: false, negate: (i) => (i & 1) === 0 },
  flipY: { transpose: false, negate: (_i, j) => (j & 1) === 0 },
  flipPlus1: { transpose: true, negate: () => false },
  flipMinus1: { transpose: true, negate: (i, j) => ((i + j) & 1) === 1 },
};

/** The 16 x 16 DCT block of the transformed picture, from the original's block. */
export function dihedralDctBlock(block: Float64Array, name: DihedralName): Float64Array {
  const rule = RULES[name];
  const out = new Float64Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const value = block[i * 16 + j];
      out[rule.transpose ? j * 16 + i : i * 16 + j] = rule.negate(i, j) ? -value : value;
    }
  }
  return out;
}
