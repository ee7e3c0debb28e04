import type { Tile } from './tiling.ts';

/**
 * x_pur = clip(x_low + reconstruction, 0, 1) written over x_low itself, when x_low is not kept as
 * a part: a 24-megapixel RGB photo then holds one 288 MB float32 array for both, not two.
 * A tile reads x_low over its whole coded window (core and margins, mirrored at the border) when
 * it starts, so a finished tile's core is held back (a core is < 1 MB) until every tile whose
 * window covers it has read its planes; tiles start in index order, so that is known from the
 * index of the last tile started. Every x_low value a tile reads is therefore the original one and
 * x_pur is the same as when written to an array of its own.
 */
export class PurifiedOverLow {
  readonly #tiles: readonly Tile[];
  readonly #low: Float32Array;
  readonly #width: number;
  readonly #channels: number;
  /** per tile, the largest index of a tile whose window reads its core */
  readonly #lastReader: Int32Array;
  readonly #held = new Map<number, Float32Array>();
  /** tiles 0 .. started-1 have read their planes */
  #started = 0;

  constructor(tiles: readonly Tile[], low: Float32Array, height: number, width: number, channels: number) {
    this.#tiles = tiles;
    this.#low = low;
    this.#width = width;
    this.#channels = channels;
    this.#lastReader = lastReaders(tiles, height, width);
  }

  /** Tile t has read its planes (tiles start in index order). */
  started(t: number): void {
    this.#started = Math.max(this.#started, t + 1);
    this.#writeReady();
  }

  /** Tile t's reconstruction, planes [c][y][x] with margins: its x_pur core, written once no tile still needs that x_low. */
  place(reconstruction: ArrayLike<number>, t: number): void {
    const tile = this.#tiles[t];
    const C = this.#channels;
    const core = new Float32Array(tile.height * tile.width * C);
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < tile.height; y++) {
        for (let x = 0; x < tile.width; x++) {
          const low = this.#low[((tile.top + y) * this.#width + tile.left + x) * C + c];
          const value = reconstruction[(c * tile.paddedHeight + y + tile.marginTop) * tile.paddedWidth + x + tile.marginLeft];
          core[(y * tile.width + x) * C + c] = Math.min(1, Math.max(0, low + value));
        }
      }
    }
    this.#held.set(t, core);
    this.#writeReady();
  }

  /** True once every placed core is written. */
  get complete(): boolean {
    return this.#held.size === 0;
  }

  #writeReady(): void {
    for (const [t, core] of this.#held) {
      if (this.#lastReader[t] >= this.#started) continue;
      const tile = this.#tiles[t];
      const rowLength = tile.width * this.#channels;
      for (let y = 0; y < tile.height; y++) {
        this.#low.set(core.subarray(y * rowLength, (y + 1) * rowLength), ((tile.top + y) * this.#width + tile.left) * this.#channels);
      }
      this.#held.delete(t);
    }
  }
}

function lastReaders(tiles: readonly Tile[], height: number, width: number): Int32Array {
  const last = new Int32Array(tiles.length).fill(-1);
  for (const [u, reader] of tiles.entries()) {
    const rows = readSpan(reader.top - reader.marginTop, reader.paddedHeight, height);
    const columns = readSpan(reader.left - reader.marginLeft, reader.paddedWidth, width);
    for (const [t, tile] of tiles.entries()) {
      const overlaps = rows[0] < tile.top + tile.height && tile.top < rows[1] && columns[0] < tile.left + tile.width && tile.left < columns[1];
      if (overlaps) last[t] = Math.max(last[t], u);
    }
  }
  return last;
}

/**
 * The image coordinates [from, to) a window [start, start + size) reads along one axis, its
 * parts past the border mirrored back (symmetric reflection, as tiling.ts reads them). A window
 * reaching more than one image length past a border reads the whole axis.
 */
function readSpan(start: number, size: number, n: number): [number, number] {
  const end = start + size;
  if (start < -n || end > 2 * n) return [0, n];
  let from = Math.max(0, start);
  let to = Math.min(n, end);
  if (start < 0) to = Math.max(to, -start);
  if (end > n) from = Math.min(from, 2 * n - end);
  return [from, to];
}
