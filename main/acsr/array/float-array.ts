/**
 * The numeric core runs in float64 (bit-for-bit comparable with SPORCO, to ~1e-8 relative)
 * or float32 (the fast path). Everything that computes is written once against this union.
 */
export type FloatArray = Float64Array | Float32Array;

export type Precision = 'float64' | 'float32';

export type FloatArrayConstructor = Float64ArrayConstructor | Float32ArrayConstructor;

export function arrayConstructorFor(precision: Precision): FloatArrayConstructor {
  return precision === 'float64' ? Float64Array : Float32Array;
}

export function precisionOf(array: FloatArray): Precision {
  return array instanceof Float64Array ? 'float64' : 'float32';
}
