/**
 * NumPy .npy files, the exchange format with SPORCO and the Python reference runs
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
 *
 * Reads format versions 1.0, 2.0 and 3.0 in C order. float32 stays float32 and float64 stays
 * float64; integer, boolean and half-float data are converted to float64 because everything
 * downstream computes in floating point. Writes version 1.0 (2.0 only if the header would not
 * fit), little-endian '<f8' or '<f4'.
 */
import type { FloatArray } from '../acsr/array/float-array.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { readInputBytes } from './input-file.ts';
import { createNdArray, formatShape, sizeOfShape, type NdArray } from './ndarray.ts';
import { parsePythonLiteral, type PythonLiteral } from './npy-header.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const PREAMBLE_BYTES = MAGIC.length + 2; // magic + major + minor
const HEADER_ALIGNMENT = 64;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface NpyHeader {
  version: [number, number];
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data, i.e. the total header length. */
  dataOffset: number;
}

interface ElementType {
  kind: 'f' | 'i' | 'u' | 'b';
  bytes: number;
  littleEndian: boolean;
}

export async function readNpy(path: string): Promise<NdArray> {
  return decodeNpy(await readInputBytes(path, 'a .npy file'), path);
}

export async function writeNpy(path: string, array: NdArray): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array));
}

/** `source` names the data in error messages (a path, or "buffer"). */
export function decodeNpy(bytes: Uint8Array, source = 'buffer'): NdArray {
  const fail = (what: string): never => {
    throw new UserInputError(`${source}: not a valid .npy file: ${what}`);
  };
  const header = readNpyHeader(bytes, fail);
  if (header.fortranOrder) {
    throw new UserInputError(`${source}: Fortran-ordered arrays are not supported; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))`);
  }
  const elementType = parseDescr(header.descr, source);
  const count = sizeOfShape(header.shape);
  const expectedBytes = count * elementType.bytes;
  const availableBytes = bytes.length - header.dataOffset;
  if (availableBytes < expectedBytes) {
    fail(`truncated: shape ${formatShape(header.shape)} of '${header.descr}' needs ${expectedBytes} data bytes, file has ${availableBytes}`);
  }
  if (availableBytes > expectedBytes) {
    fail(`${availableBytes - expectedBytes} unexpected bytes after the data of shape ${formatShape(header.shape)} '${header.descr}'`);
  }
  const data = decodeElements(bytes.subarray(header.dataOffset, header.dataOffset + expectedBytes), elementType, count, source);
  return createNdArray(header.shape, data);
}

export function readNpyHeader(bytes: Uint8Array, fail: (what: string) => never): NpyHeader {
  if (bytes.length < PREAMBLE_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) fail('missing the \\x93NUMPY magic string');
  const version: [number, number] = [bytes[6], bytes[7]];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (version[0] === 1) {
    if (bytes.length < PREAMBLE_BYTES + 2) fail('truncated header');
    headerLength = view.getUint16(PREAMBLE_BYTES, true);
    headerStart = PREAMBLE_BYTES + 2;
  } else if (version[0] === 2 || version[0] === 3) {
    if (bytes.length < PREAMBLE_BYTES + 4) fail('truncated header');
    headerLength = view.getUint32(PREAMBLE_BYTES, true);
    headerStart = PREAMBLE_BYTES + 4;
  } else {
    return fail(`unsupported format version ${version[0]}.${version[1]} (supported: 1.0, 2.0, 3.0)`);
  }
  const dataOffset = headerStart + headerLength;
  if (bytes.length < dataOffset) fail(`truncated header: it declares ${headerLength} bytes, file has ${bytes.length - headerStart}`);
  // Version 3.0 exists only to allow UTF-8 in structured field names; earlier versions are latin1.
  const headerText = new TextDecoder(version[0] === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataOffset));

  let dict: PythonLiteral;
  try {
    dict = parsePythonLiteral(headerText);
  } catch (error) {
    return fail(`malformed header: ${(error as Error).message}`);
  }
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) return fail('header is not a dictionary');
  const { descr, fortran_order: fortranOrder, shape } = dict;
  if (Array.isArray(descr)) return fail('structured (record) dtypes are not supported');
  if (typeof descr !== 'string') return fail("header lacks a string 'descr'");
  if (typeof fortranOrder !== 'boolean') return fail("header lacks a boolean 'fortran_order'");
  if (!Array.isArray(shape) || !shape.every((extent) => typeof extent === 'number' && Number.isSafeInteger(extent) && extent >= 0)) {
    return fail("header lacks a 'shape' tuple of non-negative integers");
  }
  return { version, descr, fortranOrder, shape: shape as number[], dataOffset };
}

function parseDescr(descr: string, source: string): ElementType {
  const match = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  const unsupported = (): never => {
    throw new UserInputError(`${source}: unsupported .npy dtype '${descr}'; supported: float (f2, f4, f8), signed/unsigned integers (i1..i8, u1..u8) and bool`);
  };
  if (!match) return unsupported();
  const [, order, kind, size] = match;
  const bytes = Number(size);
  const validSizes: Record<string, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };
  if (!(kind in validSizes) || !validSizes[kind].includes(bytes)) return unsupported();
  // '=' is native order; every platform the product ships on is little-endian.
  const littleEndian = order === '>' ? false : order === '=' ? HOST_IS_LITTLE_ENDIAN : true;
  return { kind: kind as ElementType['kind'], bytes, littleEndian };
}

function decodeElements(raw: Uint8Array, type: ElementType, count: number, source: string): FloatArray {
  const nativeOrder = type.bytes === 1 || type.littleEndian === HOST_IS_LITTLE_ENDIAN;
  // Copy into a fresh, aligned ArrayBuffer: the file buffer's offset need not be aligned. (Not
  // raw.slice(): on a Node Buffer that is a view, not a copy.)
  if (type.kind === 'f' && type.bytes === 8 && nativeOrder) return new Float64Array(new Uint8Array(raw).buffer);
  if (type.kind === 'f' && type.bytes === 4 && nativeOrder) return new Float32Array(new Uint8Array(raw).buffer);

  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const little = type.littleEndian;
  const out = type.kind === 'f' && type.bytes === 4 ? new Float32Array(count) : new Float64Array(count);
  const read = elementReader(view, type, little);
  for (let i = 0; i < count; i++) {
    const value = read(i);
    if (typeof value === 'bigint') {
      if (BigInt(Number(value)) !== value) {
        throw new UserInputError(`${source}: 64-bit integer ${value} at flat index ${i} cannot be represented exactly as a float`);
      }
      out[i] = Number(value);
    } else {
      out[i] = value;
    }
  }
  return out;
}

function elementReader(view: DataView, type: ElementType, little: boolean): (index: number) => number | bigint {
  const key = `${type.kind}${type.bytes}`;
  switch (key) {
    case 'f2':
      return (i) => halfToFloat(view.getUint16(i * 2, little));
    case 'f4':
      return (i) => view.getFloat32(i * 4, little);
    case 'f8':
      return (i) => view.getFloat64(i * 8, little);
    case 'i1':
      return (i) => view.getInt8(i);
    case 'i2':
      return (i) => view.getInt16(i * 2, little);
    case 'i4':
      return (i) => view.getInt32(i * 4, little);
    case 'i8':
      return (i) => view.getBigInt64(i * 8, little);
    case 'u1':
      return (i) => view.getUint8(i);
    case 'u2':
      return (i) => view.getUint16(i * 2, little);
    case 'u4':
      return (i) => view.getUint32(i * 4, little);
    case 'u8':
      return (i) => view.getBigUint64(i * 8, little);
    case 'b1':
      return (i) => (view.getUint8(i) === 0 ? 0 : 1);
    default:
      throw new Error(`no reader for dtype ${key}`);
  }
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

export function encodeNpy(array: NdArray): Uint8Array {
  const { shape, data } = array;
  if (sizeOfShape(shape) !== data.length) {
    throw new RangeError(`cannot write .npy: shape ${formatShape(shape)} needs ${sizeOfShape(shape)} elements, data has ${data.length}`);
  }
  const isFloat32 = data instanceof Float32Array;
  const descr = isFloat32 ? '<f4' : '<f8';
  const dictText = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;

  // Version 1.0 stores the header length in 2 bytes; 2.0 is only needed for enormous shapes.
  const majorVersion = dictText.length + 1 + PREAMBLE_BYTES + 2 <= 0xffff ? 1 : 2;
  const lengthFieldBytes = majorVersion === 1 ? 2 : 4;
  const unpadded = PREAMBLE_BYTES + lengthFieldBytes + dictText.length + 1; // +1 for the final '\n'
  const padding = (HEADER_ALIGNMENT - (unpadded % HEADER_ALIGNMENT)) % HEADER_ALIGNMENT;
  const headerText = dictText + ' '.repeat(padding) + '\n';
  const dataOffset = PREAMBLE_BYTES + lengthFieldBytes + headerText.length;

  const out = new Uint8Array(dataOffset + data.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = majorVersion;
  out[7] = 0;
  if (majorVersion === 1) view.setUint16(PREAMBLE_BYTES, headerText.length, true);
  else view.setUint32(PREAMBLE_BYTES, headerText.length, true);
  for (let i = 0; i < headerText.length; i++) out[PREAMBLE_BYTES + lengthFieldBytes + i] = headerText.charCodeAt(i);

  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataOffset);
  } else {
    for (let i = 0; i < data.length; i++) {
      if (isFloat32) view.setFloat32(dataOffset + i * 4, data[i], true);
      else view.setFloat64(dataOffset + i * 8, data[i], true);
    }
  }
  return out;
}
