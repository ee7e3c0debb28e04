/**
 * Image files in and out, through sharp (libvips). Pixels come out as float arrays in [0, 1],
 * H x W x C, row-major, channels last (method.md's convention), with C = 1 or 3.
 *
 * Choices, pinned here because they change pixel values:
 * - EXIF orientation is applied, so the array is the picture as a viewer shows it.
 * - Embedded ICC profiles are ignored: the stored pixel values are the evidence, and this is
 *   what numpy/PIL/imageio (and so the SPORCO reference runs) read.
 * - Alpha is dropped, not composited, and reported in `notes`.
 * - Forcing greyscale uses skimage's rgb2gray weights (Rec. 709 luma on the stored values),
 *   computed here rather than by libvips, whose conversion goes through linear light.
 */
import { open } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import type { FloatArray, Precision } from '../acsr/array/float-array.ts';
import type { ImageArray } from '../acsr/array/image-array.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { iccProfileName } from './icc-profile-name.ts';
import { readInputBytes } from './input-file.ts';
import { createNdArray, formatShape, type NdArray } from './ndarray.ts';

export type ImageChannelMode = 'auto' | 'rgb' | 'gray';

export interface ReadImageOptions {
  /** 'auto' keeps greyscale files greyscale and colour files RGB. */
  channels?: ImageChannelMode;
  precision?: Precision;
  /** Refuse images with more pixels than this (decompression-bomb guard). */
  maxPixels?: number;
}

/** An image read from a file: the product's one image type, with what reading it involved. Files give 1 or 3 channels. */
export interface DecodedImage extends ImageArray {
  readonly channels: 1 | 3;
  /** Things done to the file's content that an investigator should know about. */
  notes: string[];
  /** Bits per sample in the file (8 or 16; higher depths are read at 16-bit precision). */
  sourceBitDepth: number;
  /** Decoder that read the file: 'png', 'jpeg', 'webp' or 'tiff'. */
  sourceFormat: string;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;
export const SUPPORTED_IMAGE_FORMATS = ['png', 'jpeg', 'webp', 'tiff'] as const;

/** skimage.color.rgb2gray. */
const GREY_WEIGHTS = [0.2125, 0.7154, 0.0721] as const;

export async function readImage(path: string, options: ReadImageOptions = {}): Promise<DecodedImage> {
  return decodeImage(await readInputBytes(path, 'an image (PNG, JPEG, WebP or TIFF)'), { ...options, source: path });
}

/**
 * The decoded samples as libvips hands them over (8 or 16 bits, alpha still interleaved), for
 * callers that work on integer samples and would only convert decodeImage's floats back.
 */
export interface DecodedSamples {
  height: number;
  width: number;
  /** Interleaved values per pixel, 1 to 4; when 2 or 4, the last is alpha. */
  bands: number;
  /** 1: grey, in the first band. 3: RGB, in the first three. */
  sourceChannels: 1 | 3;
  /** Uint16Array when sourceBitDepth > 8. */
  samples: Uint8Array | Uint16Array;
  notes: string[];
  sourceBitDepth: number;
  sourceFormat: string;
}

/** readImage without the conversion to floats (see decodeImageSamples). */
export async function readImageSamples(path: string, options: { maxPixels?: number } = {}): Promise<DecodedSamples> {
  return decodeImageSamples(await readInputBytes(path, 'an image (PNG, JPEG, WebP or TIFF)'), { ...options, source: path });
}

/** `source` names the data in error messages. */
export async function decodeImage(bytes: Uint8Array, options: ReadImageOptions & { source?: string } = {}): Promise<DecodedImage> {
  const { decoded, isGreySource } = await decodeSamples(bytes, options);
  const { width, height, bands: stride, sourceChannels, samples, notes, sourceBitDepth } = decoded;
  const wanted = options.channels ?? 'auto';
  const channels: 1 | 3 = wanted === 'gray' ? 1 : wanted === 'rgb' ? 3 : isGreySource ? 1 : 3;
  if (sourceChannels === 3 && channels === 1) notes.push('converted RGB to greyscale (Rec. 709 luma weights, as skimage rgb2gray)');
  if (sourceChannels === 1 && channels === 3) notes.push('greyscale replicated to 3 RGB channels');

  const data = toUnitFloats(samples, {
    pixels: width * height,
    stride,
    sourceChannels,
    outputChannels: channels,
    scale: 1 / (sourceBitDepth > 8 ? 65535 : 255),
    precision: options.precision ?? 'float64',
  });
  return { height, width, channels, data, notes, sourceBitDepth, sourceFormat: decoded.sourceFormat };
}

/**
 * decodeImage's checks, decoding and notes, without the conversion to floats. `input` is the
 * file's bytes, or the path of a file (read by libvips as it decodes, so the file's size does not
 * add to the memory the decode takes).
 */
export async function decodeImageSamples(input: Uint8Array | string, options: { maxPixels?: number; source?: string } = {}): Promise<DecodedSamples> {
  return (await decodeSamples(input, options)).decoded;
}

/**
 * The header only (format, size, layout), checked against the supported formats and the pixel
 * cap, before any memory is committed to the pixels.
 */
export async function readImageHeader(input: Uint8Array | string, options: { maxPixels?: number; source?: string } = {}): Promise<Metadata> {
  const source = options.source ?? 'image buffer';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const metadata = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch(async (error: unknown) => {
      throw await describeDecodeError(error, source, input);
    });
  if (!(SUPPORTED_IMAGE_FORMATS as readonly string[]).includes(metadata.format)) {
    throw new UserInputError(`${source}: unsupported image format '${metadata.format}' (supported: PNG, JPEG, WebP, TIFF)`);
  }
  const pixelCount = metadata.width * metadata.height;
  if (pixelCount > maxPixels) {
    throw new UserInputError(`${source}: image is ${metadata.width} x ${metadata.height} = ${pixelCount} pixels, above the limit of ${maxPixels}`);
  }
  return metadata;
}

/**
 * Bytes of memory decodeImageSamples needs for an image with this header: its sample buffer
 * (width x height x bands x bytes per sample, in the layout decodeSamples asks libvips for), twice
 * over when an EXIF orientation is applied (libvips rotates or flips into a second full image).
 */
export function decodedSampleBytes(metadata: Metadata): number {
  const { sixteenBit, decodeAsGrey } = decodeLayout(metadata);
  const bands = (decodeAsGrey ? 1 : 3) + (metadata.hasAlpha ? 1 : 0);
  const reoriented = metadata.orientation !== undefined && metadata.orientation !== 1 ? 2 : 1;
  return metadata.width * metadata.height * bands * (sixteenBit ? 2 : 1) * reoriented;
}

function decodeLayout(metadata: Metadata): { sourceBitDepth: number; sixteenBit: boolean; isGreySource: boolean; decodeAsGrey: boolean } {
  const sourceBitDepth = bitDepthOf(metadata.depth);
  const sixteenBit = sourceBitDepth > 8;
  const isGreySource = metadata.space === 'b-w' || metadata.space === 'grey16';
  // libvips' 8-bit 'b-w' conversion discards alpha, so grey+alpha is decoded as RGBA (the grey
  // replicated) to be able to report what the alpha channel held.
  const decodeAsGrey = isGreySource && (sixteenBit || !metadata.hasAlpha);
  return { sourceBitDepth, sixteenBit, isGreySource, decodeAsGrey };
}

async function decodeSamples(
  input: Uint8Array | string,
  options: ReadImageOptions & { source?: string },
): Promise<{ decoded: DecodedSamples; isGreySource: boolean }> {
  const source = options.source ?? 'image buffer';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const notes: string[] = [];

  // Header only: format, size and layout, before committing memory to the pixels.
  const metadata = await readImageHeader(input, { source, maxPixels });
  if ((metadata.pages ?? 1) > 1) notes.push(`file has ${metadata.pages} pages or frames; only the first was read`);
  if (metadata.icc) {
    const profileName = iccProfileName(metadata.icc);
    if (!profileName || !/srgb/i.test(profileName)) {
      notes.push(`embedded ICC profile ${profileName ? `'${profileName}' ` : ''}ignored: stored pixel values used as they are`);
    }
  }
  if (metadata.orientation !== undefined && metadata.orientation !== 1) {
    notes.push(`EXIF orientation ${metadata.orientation} applied`);
  }

  if (metadata.space === 'cmyk') notes.push("converted from CMYK to sRGB with libvips' default CMYK profile");
  const { sourceBitDepth, sixteenBit, isGreySource, decodeAsGrey } = decodeLayout(metadata);
  if (sourceBitDepth > 16) notes.push(`source has ${sourceBitDepth}-bit samples; read at 16-bit precision`);
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(input, { limitInputPixels: maxPixels, failOn: 'error', autoOrient: true, ignoreIcc: true })
      .toColourspace(decodeAsGrey ? (sixteenBit ? 'grey16' : 'b-w') : sixteenBit ? 'rgb16' : 'srgb')
      .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw await describeDecodeError(error, source, input);
  }

  const { width, height } = raw.info;
  const samples = sixteenBit
    ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2)
    : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  // Trust the band count over info.hasAlpha, which stays true after libvips has dropped alpha.
  const stride = raw.info.channels;
  const hasAlpha = stride === 2 || stride === 4;
  if (stride < 1 || stride > 4) {
    throw new UserInputError(`${source}: unsupported layout of ${stride} channels (colour space ${metadata.space})`);
  }
  const sourceChannels: 1 | 3 = isGreySource || stride <= 2 ? 1 : 3;
  if (hasAlpha) notes.push(describeDroppedAlpha(samples, stride, sixteenBit ? 65535 : 255));
  return { decoded: { height, width, bands: stride, sourceChannels, samples, notes, sourceBitDepth, sourceFormat: metadata.format }, isGreySource };
}

function bitDepthOf(depth: string): number {
  switch (depth) {
    case 'uchar':
    case 'char':
      return 8;
    case 'ushort':
    case 'short':
      return 16;
    case 'uint':
    case 'int':
    case 'float':
      return 32;
    default:
      return 64;
  }
}

function describeDroppedAlpha(samples: Uint8Array | Uint16Array, stride: number, opaque: number): string {
  let transparentPixels = 0;
  for (let i = stride - 1; i < samples.length; i += stride) if (samples[i] !== opaque) transparentPixels++;
  return transparentPixels === 0
    ? 'alpha channel dropped (the image was fully opaque)'
    : `alpha channel dropped: ${transparentPixels} partly or fully transparent pixels keep their stored colour`;
}

/** For a grey source, the first band holds the grey value whatever the stride. */
function toUnitFloats(
  samples: Uint8Array | Uint16Array,
  layout: { pixels: number; stride: number; sourceChannels: 1 | 3; outputChannels: 1 | 3; scale: number; precision: Precision },
): FloatArray {
  const { pixels, stride, sourceChannels, outputChannels, scale } = layout;
  const out = layout.precision === 'float64' ? new Float64Array(pixels * outputChannels) : new Float32Array(pixels * outputChannels);
  const [wr, wg, wb] = GREY_WEIGHTS;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const at = pixel * stride;
    if (sourceChannels === 3 && outputChannels === 3) {
      out[pixel * 3] = samples[at] * scale;
      out[pixel * 3 + 1] = samples[at + 1] * scale;
      out[pixel * 3 + 2] = samples[at + 2] * scale;
    } else if (sourceChannels === 3) {
      out[pixel] = (wr * samples[at] + wg * samples[at + 1] + wb * samples[at + 2]) * scale;
    } else if (outputChannels === 1) {
      out[pixel] = samples[at] * scale;
    } else {
      const grey = samples[at] * scale;
      out[pixel * 3] = grey;
      out[pixel * 3 + 1] = grey;
      out[pixel * 3 + 2] = grey;
    }
  }
  return out;
}

/**
 * libvips messages are multi-line and name its internals; say what is wrong with the file. When
 * several images decode at once, libvips may lose its message ("Unknown error"): the file's end
 * then tells a truncated JPEG or PNG apart from other damage.
 */
export async function describeDecodeError(error: unknown, source: string, input: Uint8Array | string): Promise<UserInputError> {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0].trim();
  if (/unsupported image format/i.test(message)) {
    return new UserInputError(`${source}: not a recognised image file (supported: PNG, JPEG, WebP, TIFF)`);
  }
  if (/exceeds pixel limit/i.test(message)) return new UserInputError(`${source}: image exceeds the pixel limit`);
  if (/premature end|truncated|unexpected end|not enough data|read error|short read/i.test(message)) {
    return new UserInputError(`${source}: image file is truncated or damaged (${firstLine})`);
  }
  if (await endsShort(input)) return new UserInputError(`${source}: image file is truncated or damaged (it ends before its last marker)`);
  return new UserInputError(`${source}: cannot decode image (${firstLine})`);
}

/** A JPEG without its end-of-image marker or a PNG without its IEND chunk at the end. */
async function endsShort(input: Uint8Array | string): Promise<boolean> {
  let head: Uint8Array;
  let tail: Uint8Array;
  try {
    if (typeof input === 'string') {
      const file = await open(input, 'r');
      try {
        const { size } = await file.stat();
        head = new Uint8Array(8);
        tail = new Uint8Array(Math.min(12, size));
        await file.read(head, 0, head.length, 0);
        await file.read(tail, 0, tail.length, Math.max(0, size - tail.length));
      } finally {
        await file.close();
      }
    } else {
      head = input.subarray(0, 8);
      tail = input.subarray(Math.max(0, input.length - 12));
    }
  } catch {
    return false;
  }
  const isJpeg = head[0] === 0xff && head[1] === 0xd8;
  if (isJpeg) return !(tail.length >= 2 && tail[tail.length - 2] === 0xff && tail[tail.length - 1] === 0xd9);
  const isPng = head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47;
  if (isPng) return !(tail.length === 12 && String.fromCharCode(...tail.subarray(4, 8)) === 'IEND');
  return false;
}

export interface WritePngOptions {
  bitDepth?: 8 | 16;
  /** added to every value before clipping (signed parts shown around mid-grey), without a copy of the image */
  offset?: number;
}

/** Values are clipped to [0, 1]; NaN is refused, since silently writing it as black hides a bug. */
export async function writePng(path: string, image: ImageArray, options: WritePngOptions = {}): Promise<void> {
  await writeFileAtomic(path, await encodePng(image, options));
}

/** A PNG holds 1 (grey) or 3 (RGB) channels here; another count is a programming error, refused before any pixel is written. */
export async function encodePng(image: ImageArray, options: WritePngOptions = {}): Promise<Buffer> {
  const { height, width, channels, data } = image;
  if (channels !== 1 && channels !== 3) throw new RangeError(`a PNG is written from 1 or 3 channels, not ${channels}`);
  if (data.length !== height * width * channels) {
    throw new RangeError(`image of ${height} x ${width} x ${channels} needs ${height * width * channels} values, has ${data.length}`);
  }
  const bitDepth = options.bitDepth ?? 8;
  const maximum = bitDepth === 16 ? 65535 : 255;
  const offset = options.offset ?? 0;
  const samples = bitDepth === 16 ? new Uint16Array(data.length) : new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i] + offset;
    if (Number.isNaN(value)) throw new RangeError(`cannot write PNG: pixel value at flat index ${i} is NaN`);
    samples[i] = Math.round(Math.min(1, Math.max(0, value)) * maximum);
  }
  // Without an explicit colour space libvips would write a 1-channel raw image as RGB.
  const space = channels === 1 ? (bitDepth === 16 ? 'grey16' : 'b-w') : bitDepth === 16 ? 'rgb16' : 'srgb';
  return sharp(samples, { raw: { width, height, channels } }).toColourspace(space).png().toBuffer();
}

/** The image as an (H, W, C) array, the layout SPORCO's solvers take. */
export function imageToNdArray(image: ImageArray): NdArray {
  return createNdArray([image.height, image.width, image.channels], image.data);
}

/** Accepts (H, W), (H, W, 1) or (H, W, 3). `what` names the array in the error. */
export function ndArrayToImage(array: NdArray, what: string): ImageArray {
  const [height, width, channels = 1] = array.shape;
  const isImageShape = (array.shape.length === 2 || array.shape.length === 3) && (channels === 1 || channels === 3);
  if (!isImageShape) throw new UserInputError(`${what} has shape ${formatShape(array.shape)}, expected (H, W), (H, W, 1) or (H, W, 3)`);
  return { height, width, channels: channels as 1 | 3, data: array.data };
}
