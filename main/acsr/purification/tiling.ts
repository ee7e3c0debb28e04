import type { FloatArray } from '../array/float-array.ts';
import { pffftSupportsSize } from '../signal/fft/pffft-real-fft2d.ts';

/**
 * Tiles for sparse coding an image of any size with bounded memory. The image is cut into cores
 * of at most `tileSize` pixels a side (near-equal splits); each core is coded with `margin`
 * extra pixels on every side, taken from the image or, past its border, mirrored (numpy's
 * 'symmetric' padding, as the Tikhonov split does), and only the core of the result is kept.
 * The margin absorbs both the circular boundary of the DFT-domain solver and the atoms that
 * straddle a core's edge, so cores join without seams when margin >= 2 x atom size.
 * The margins are then widened until the coded size suits the fast FFT (PFFFT: width a 5-smooth
 * multiple of 32, height of 16); an odd size such as 257 would fall back to a far slower FFT.
 */
export interface Tile {
  /** the core, in image coordinates */
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
  /** margins above and left of the core; the coded tile is paddedHeight x paddedWidth */
  readonly marginTop: number;
  readonly marginLeft: number;
  readonly paddedHeight: number;
  readonly paddedWidth: number;
}

export function planTiles(height: number, width: number, tileSize: number, margin: number): Tile[] {
  if (!Number.isInteger(tileSize) || tileSize < 1) throw new RangeError(`tile size must be a positive integer, got ${tileSize}`);
  const rows = splitEvenly(height, Math.ceil(height / tileSize));
  const columns = splitEvenly(width, Math.ceil(width / tileSize));
  const tiles: Tile[] = [];
  for (const [top, h] of rows) {
    const paddedHeight = fastFftSize(h + 2 * margin, (n) => pffftSupportsSize(n, 32));
    for (const [left, w] of columns) {
      const paddedWidth = fastFftSize(w + 2 * margin, (n) => pffftSupportsSize(16, n));
      tiles.push({
        top,
        left,
        height: h,
        width: w,
        paddedHeight,
        paddedWidth,
        marginTop: margin + ((paddedHeight - h - 2 * margin) >> 1),
        marginLeft: margin + ((paddedWidth - w - 2 * margin) >> 1),
      });
    }
  }
  return tiles;
}

function fastFftSize(n: number, supported: (n: number) => boolean): number {
  for (let m = n; m < 2 * n + 64; m++) if (supported(m)) return m;
  return n;
}

function splitEvenly(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < parts; i++) {
    const from = Math.floor((n * i) / parts);
    out.push([from, Math.floor((n * (i + 1)) / parts) - from]);
  }
  return out;
}

/**
 * The tile with its margins as planes [c][y][x], float32, mirrored past the image border, read
 * from the image's interleaved samples [y][x][c] (no planar copy of a whole large image). With
 * `minus`, the tile of image - minus: x_high = x - x_low is formed here, tile by tile (in float64,
 * then rounded once to float32), so that no full-image x_high is ever held.
 */
export function extractTilePlanes(image: FloatArray, height: number, width: number, channels: number, tile: Tile, minus?: FloatArray): Float32Array {
  const h = tile.paddedHeight;
  const w = tile.paddedWidth;
  const out = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const sy = reflect(tile.top - tile.marginTop + y, height);
      for (let x = 0; x < w; x++) {
        const i = (sy * width + reflect(tile.left - tile.marginLeft + x, width)) * channels + c;
        out[(c * h + y) * w + x] = minus ? image[i] - minus[i] : image[i];
      }
    }
  }
  return out;
}

/** Writes the core of a coded tile (planes with margins) into the full image's interleaved samples. */
export function placeTileCore(tilePlanes: ArrayLike<number>, tile: Tile, channels: number, target: FloatArray, height: number, width: number): void {
  const h = tile.paddedHeight;
  const w = tile.paddedWidth;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < tile.height; y++) {
      for (let x = 0; x < tile.width; x++) {
        target[((tile.top + y) * width + tile.left + x) * channels + c] = tilePlanes[(c * h + y + tile.marginTop) * w + x + tile.marginLeft];
      }
    }
  }
}

/** Writes clip(x_low + core, 0, 1), x_pur, into the full image's interleaved samples. */
export function placeTilePurified(tilePlanes: ArrayLike<number>, tile: Tile, channels: number, low: FloatArray, target: FloatArray, width: number): void {
  const h = tile.paddedHeight;
  const w = tile.paddedWidth;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < tile.height; y++) {
      for (let x = 0; x < tile.width; x++) {
        const i = ((tile.top + y) * width + tile.left + x) * channels + c;
        target[i] = Math.min(1, Math.max(0, low[i] + tilePlanes[(c * h + y + tile.marginTop) * w + x + tile.marginLeft]));
      }
    }
  }
}

function reflect(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}
