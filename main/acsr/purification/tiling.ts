/**
 * Tiles for sparse coding an image of any size with bounded memory. The image is cut into cores
 * of at most `tileSize` pixels a side (near-equal splits); each core is coded with `margin`
 * extra pixels on every side, taken from the image or, past its border, mirrored (numpy's
 * 'symmetric' padding, as the Tikhonov split does), and only the core of the result is kept.
 * The margin absorbs both the circular boundary of the DFT-domain solver and the atoms that
 * straddle a core's edge, so cores join without seams when margin >= 2 x atom size.
 */
export interface Tile {
  /** the core, in image coordinates */
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
  readonly margin: number;
}

export function planTiles(height: number, width: number, tileSize: number, margin: number): Tile[] {
  if (!Number.isInteger(tileSize) || tileSize < 1) throw new RangeError(`tile size must be a positive integer, got ${tileSize}`);
  const rows = splitEvenly(height, Math.ceil(height / tileSize));
  const columns = splitEvenly(width, Math.ceil(width / tileSize));
  const tiles: Tile[] = [];
  for (const [top, h] of rows) for (const [left, w] of columns) tiles.push({ top, left, height: h, width: w, margin });
  return tiles;
}

function splitEvenly(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < parts; i++) {
    const from = Math.floor((n * i) / parts);
    out.push([from, Math.floor((n * (i + 1)) / parts) - from]);
  }
  return out;
}

/** The tile with its margins as planes [c][y][x], float32, mirrored past the image border. */
export function extractTilePlanes(planes: Float64Array, height: number, width: number, channels: number, tile: Tile): Float32Array {
  const h = tile.height + 2 * tile.margin;
  const w = tile.width + 2 * tile.margin;
  const out = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const sy = reflect(tile.top - tile.margin + y, height);
      for (let x = 0; x < w; x++) {
        out[(c * h + y) * w + x] = planes[(c * height + sy) * width + reflect(tile.left - tile.margin + x, width)];
      }
    }
  }
  return out;
}

/** Writes the core of a coded tile (planes with margins) back into the full image's planes. */
export function placeTileCore(tilePlanes: ArrayLike<number>, tile: Tile, channels: number, target: Float64Array, height: number, width: number): void {
  const h = tile.height + 2 * tile.margin;
  const w = tile.width + 2 * tile.margin;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < tile.height; y++) {
      for (let x = 0; x < tile.width; x++) {
        target[(c * height + tile.top + y) * width + tile.left + x] = tilePlanes[(c * h + y + tile.margin) * w + x + tile.margin];
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
