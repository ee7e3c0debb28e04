/**
 * What the import learns from an evidence file's content: that it is a complete image of a
 * supported format within the pixel cap, its size as displayed, and its PDQ hash. The whole file
 * is decoded (not just the header), because a truncated JPEG has a perfectly good header.
 */
import { DEFAULT_MAX_PIXELS, decodeImage } from '../io/image.ts';
import { computePdq } from '../pdq/pdq.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { ImportFileError, type ImportErrorKind } from './file-errors.ts';

export { DEFAULT_MAX_PIXELS };

export interface EvidenceImageFacts {
  mediaType: string;
  width: number;
  height: number;
  pdqHash: string;
  pdqQuality: number;
  decodeNotes: string[];
}

const MEDIA_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tiff: 'image/tiff',
};

/** `source` names the file in messages (the original's path, not the store's). */
export async function examineEvidenceImage(bytes: Uint8Array, options: { source: string; maxPixels?: number }): Promise<EvidenceImageFacts> {
  if (bytes.length === 0) throw new ImportFileError('empty-file', `${options.source}: file is empty (0 bytes)`);
  let image;
  try {
    image = await decodeImage(bytes, { source: options.source, maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS, channels: 'rgb', precision: 'float32' });
  } catch (error) {
    if (error instanceof UserInputError) throw new ImportFileError(decodeErrorKind(error.message), error.message);
    throw error;
  }
  // PDQ of a 16-bit file is that of its high bytes, as computePdqOfFile (pdq-input.ts) reads it
  // following PIL; the import must give the same hash as hashing the file directly.
  if (image.sourceBitDepth > 8) keepHighByte(image.data);
  const { hash, quality } = computePdq(image);
  return {
    mediaType: MEDIA_TYPES[image.sourceFormat] ?? `image/${image.sourceFormat}`,
    width: image.width,
    height: image.height,
    pdqHash: hash,
    pdqQuality: quality,
    // Decoded as RGB so the hash matches computePdqOfFile's on purified outputs; replicating grey
    // into RGB is this program's doing, not a property of the evidence, so it is not noted.
    decodeNotes: image.notes.filter((note) => !note.startsWith('greyscale replicated')),
  };
}

/** main/io/image.ts words its messages per failure; the import records the failure as a kind. */
function decodeErrorKind(message: string): ImportErrorKind {
  if (/pixel limit|above the limit/i.test(message)) return 'too-many-pixels';
  if (/unsupported image format/i.test(message)) return 'unsupported-format';
  if (/not a recognised image/i.test(message)) return 'not-an-image';
  return 'damaged-image';
}

/** x / 65535 -> (x >> 8) / 255, the same requantisation as main/pdq/pdq-input.ts. */
function keepHighByte(data: Float32Array | Float64Array): void {
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(Math.round(data[i] * 65535) / 256) / 255;
}
