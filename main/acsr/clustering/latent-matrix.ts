/**
 * Latent vectors R(x) of one class (or one cluster), one per row: rows x columns, row-major,
 * float64 whatever precision the extractor computed in, because covariances of 1000+ dimensions
 * lose too much in float32.
 */
export interface LatentMatrix {
  readonly rows: number;
  readonly columns: number;
  readonly data: Float64Array;
}

export function latentMatrix(vectors: readonly ArrayLike<number>[]): LatentMatrix {
  if (vectors.length === 0) throw new RangeError('no latent vectors');
  const columns = vectors[0].length;
  const data = new Float64Array(vectors.length * columns);
  vectors.forEach((v, i) => {
    if (v.length !== columns) throw new RangeError(`latent ${i} has ${v.length} values, the first has ${columns}`);
    for (let j = 0; j < columns; j++) {
      if (!Number.isFinite(v[j])) throw new RangeError(`latent ${i} has a non-finite value at ${j}`);
      data[i * columns + j] = v[j];
    }
  });
  return { rows: vectors.length, columns, data };
}

export function selectRows(matrix: LatentMatrix, rows: readonly number[]): LatentMatrix {
  const { columns } = matrix;
  const data = new Float64Array(rows.length * columns);
  rows.forEach((r, i) => data.set(matrix.data.subarray(r * columns, (r + 1) * columns), i * columns));
  return { rows: rows.length, columns, data };
}

export function squaredDistance(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, length: number): number {
  let sum = 0;
  for (let j = 0; j < length; j++) {
    const d = a[aOffset + j] - b[bOffset + j];
    sum += d * d;
  }
  return sum;
}
