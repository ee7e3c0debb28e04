import type { FloatArray } from '../array/float-array.ts';

/**
 * A convolutional dictionary {d_m}: M atoms of atomHeight x atomWidth over `channels` channels.
 * channels = 1 is a single-channel dictionary (shared over the image's channels when the image
 * has several); channels = C is a multi-channel dictionary (d_{c,m}).
 *
 * Layout: atom-major planes, data[((m * channels + c) * atomHeight + y) * atomWidth + x].
 * SPORCO's on-disk layout is (h, w, M) or (h, w, C, M); see fromSporcoLayout / toSporcoLayout.
 */
export interface ConvDictionary<T extends FloatArray = FloatArray> {
  readonly atomHeight: number;
  readonly atomWidth: number;
  readonly channels: number;
  readonly atoms: number;
  readonly data: T;
}

export function dictionaryIndex(d: Pick<ConvDictionary, 'atomHeight' | 'atomWidth' | 'channels'>, m: number, c: number, y: number, x: number): number {
  return ((m * d.channels + c) * d.atomHeight + y) * d.atomWidth + x;
}

/** From SPORCO's (h, w, M) or (h, w, C, M) array (C order). */
export function fromSporcoLayout<T extends FloatArray>(shape: readonly number[], data: T): ConvDictionary<T> {
  if (shape.length !== 3 && shape.length !== 4) {
    throw new RangeError(`a dictionary must have shape (h, w, M) or (h, w, C, M), got (${shape.join(', ')})`);
  }
  const [atomHeight, atomWidth] = shape;
  const channels = shape.length === 4 ? shape[2] : 1;
  const atoms = shape[shape.length - 1];
  if (data.length !== atomHeight * atomWidth * channels * atoms) {
    throw new RangeError(`dictionary data has ${data.length} values, shape (${shape.join(', ')}) needs ${atomHeight * atomWidth * channels * atoms}`);
  }
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const dict = { atomHeight, atomWidth, channels, atoms, data: out };
  for (let y = 0; y < atomHeight; y++) {
    for (let x = 0; x < atomWidth; x++) {
      for (let c = 0; c < channels; c++) {
        for (let m = 0; m < atoms; m++) {
          out[dictionaryIndex(dict, m, c, y, x)] = data[((y * atomWidth + x) * channels + c) * atoms + m];
        }
      }
    }
  }
  return dict;
}

/** To SPORCO's layout: (h, w, M) for one channel, (h, w, C, M) otherwise. */
export function toSporcoLayout<T extends FloatArray>(dict: ConvDictionary<T>): { shape: number[]; data: T } {
  const { atomHeight, atomWidth, channels, atoms, data } = dict;
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let y = 0; y < atomHeight; y++) {
    for (let x = 0; x < atomWidth; x++) {
      for (let c = 0; c < channels; c++) {
        for (let m = 0; m < atoms; m++) {
          out[((y * atomWidth + x) * channels + c) * atoms + m] = data[dictionaryIndex(dict, m, c, y, x)];
        }
      }
    }
  }
  const shape = channels === 1 ? [atomHeight, atomWidth, atoms] : [atomHeight, atomWidth, channels, atoms];
  return { shape, data: out };
}

/**
 * Zero-pad every atom channel to a full height x width plane at the top-left corner (SPORCO's
 * zpad: circular convolution with the atom anchored at the origin). Planes [m][c][H][W].
 */
export function padAtomsToPlanes<T extends FloatArray>(dict: ConvDictionary<T>, height: number, width: number, out?: T): T {
  const { atomHeight, atomWidth, channels, atoms, data } = dict;
  if (atomHeight > height || atomWidth > width) {
    throw new RangeError(`atoms (${atomHeight}x${atomWidth}) are larger than the image (${height}x${width})`);
  }
  const planes = out ?? new (data.constructor as new (n: number) => T)(atoms * channels * height * width);
  planes.fill(0);
  for (let p = 0; p < atoms * channels; p++) {
    for (let y = 0; y < atomHeight; y++) {
      for (let x = 0; x < atomWidth; x++) {
        planes[(p * height + y) * width + x] = data[(p * atomHeight + y) * atomWidth + x];
      }
    }
  }
  return planes;
}

/**
 * The constraint set of dictionary learning (SPORCO's Pcn): keep each atom's support
 * (crop the top-left atomHeight x atomWidth of a full plane), optionally remove each channel's
 * mean, and scale every atom to unit l2 norm jointly over its channels (a zero atom stays zero).
 */
export function projectAtomsFromPlanes<T extends FloatArray>(
  planes: T,
  height: number,
  width: number,
  shape: { atomHeight: number; atomWidth: number; channels: number; atoms: number },
  zeroMean: boolean,
): ConvDictionary<T> {
  const { atomHeight, atomWidth, channels, atoms } = shape;
  const data = new (planes.constructor as new (n: number) => T)(atoms * channels * atomHeight * atomWidth);
  for (let p = 0; p < atoms * channels; p++) {
    for (let y = 0; y < atomHeight; y++) {
      for (let x = 0; x < atomWidth; x++) {
        data[(p * atomHeight + y) * atomWidth + x] = planes[(p * height + y) * width + x];
      }
    }
  }
  const dict = { atomHeight, atomWidth, channels, atoms, data };
  normaliseAtoms(dict, zeroMean);
  return dict;
}

export function normaliseAtoms(dict: ConvDictionary, zeroMean: boolean): void {
  const { atomHeight, atomWidth, channels, atoms, data } = dict;
  const planeSize = atomHeight * atomWidth;
  if (zeroMean) {
    for (let p = 0; p < atoms * channels; p++) {
      let mean = 0;
      for (let i = 0; i < planeSize; i++) mean += data[p * planeSize + i];
      mean /= planeSize;
      for (let i = 0; i < planeSize; i++) data[p * planeSize + i] -= mean;
    }
  }
  const atomSize = channels * planeSize;
  for (let m = 0; m < atoms; m++) {
    let sumSquares = 0;
    for (let i = 0; i < atomSize; i++) sumSquares += data[m * atomSize + i] ** 2;
    const norm = Math.sqrt(sumSquares);
    if (norm === 0) continue;
    for (let i = 0; i < atomSize; i++) data[m * atomSize + i] /= norm;
  }
}
