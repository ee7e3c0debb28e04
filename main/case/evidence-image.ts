/**
 * What the import learns from an evidence file's content: that it is a complete image of a
 * supported format within the pixel cap, its size as displayed, and its PDQ hash. The whole file
 * is decoded (not just the header), because a truncated JPEG has a perfectly good header.
 */
import { DEFAULT_MAX_PIXELS, decodeImageSamples, type DecodedSamples } from '../io/image.ts';
import { DIHEDRAL_NAMES } from '../pdq/dihedral.ts';
import { computePdqDihedralOfBytes } from '../pdq/pdq.ts';
import { bytePlaneForPdq } from '../pdq/pdq-input.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { ImportFileError, type ImportErrorKind } from './file-errors.ts';
import { makeFilterThumbnail, type FilterInputSize, type FilterThumbnail } from './filter-thumbnail.ts';

export { DEFAULT_MAX_PIXELS };

export interface EvidenceImageFacts {
  mediaType: string;
  width: number;
  height: number;
  pdqHash: string;
  pdqQuality: number;
  /**
   * The PDQ hashes of the picture's eight rotations and mirrors (DIHEDRAL_NAMES order; the first is
   * pdqHash), kept so that matching against a hash list added later needs no decode.
   */
  pdqVariants: string[];
  decodeNotes: string[];
}

/** The facts, and the content filter's input when the import asked for it (never stored: it is classified and dropped). */
export type ExaminedEvidence = EvidenceImageFacts & { filterThumbnail?: FilterThumbnail };

const MEDIA_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tiff: 'image/tiff',
};

/**
 * `input` is the file's bytes or its path (the import passes the path of its copy in the store, so
 * a file of any size is read by the decoder as it goes). `source` names the file in messages (the
 * original's path, not the store's).
 */
export async function examineEvidenceImage(
  input: Uint8Array | string,
  options: { source: string; maxPixels?: number; filterInput?: FilterInputSize },
): Promise<ExaminedEvidence> {
  if (typeof input !== 'string' && input.length === 0) throw new ImportFileError('empty-file', `${options.source}: file is empty (0 bytes)`);
  let image: DecodedSamples;
  try {
    image = await decodeImageSamples(input, { source: options.source, maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS });
  } catch (error) {
    if (error instanceof UserInputError) throw new ImportFileError(decodeErrorKind(error.message), error.message);
    throw error;
  }
  // The samples as computePdqOfFile hashes them (pdq-input.ts: 16-bit files by their high bytes,
  // following PIL), so the import gives the same hash as hashing the file directly; kept as
  // integers, because converting them to floats and back was a third of the import's time.
  // The samples are not needed after this, so the plane is packed into their memory.
  // The eight variants come from the one DCT block the plain hash needs (pdq/dihedral.ts).
  const variants = computePdqDihedralOfBytes(bytePlaneForPdq(image, { overwriteSamples: true }));
  const { hash, quality } = variants.original;
  // Made only once the full decode has accepted the file; a thumbnail that fails is made again by
  // the import's classify step, which then records what went wrong, so it never refuses the file.
  const filterThumbnail = options.filterInput ? await makeFilterThumbnail(input, options.filterInput).catch(() => undefined) : undefined;
  return {
    ...(filterThumbnail ? { filterThumbnail } : {}),
    mediaType: MEDIA_TYPES[image.sourceFormat] ?? `image/${image.sourceFormat}`,
    width: image.width,
    height: image.height,
    pdqHash: hash,
    pdqQuality: quality,
    pdqVariants: DIHEDRAL_NAMES.map((name) => variants[name].hash),
    decodeNotes: image.notes,
  };
}

/** main/io/image.ts words its messages per failure; the import records the failure as a kind. */
export function decodeErrorKind(message: string): ImportErrorKind {
  if (/pixel limit|above the limit/i.test(message)) return 'too-many-pixels';
  if (/unsupported image format/i.test(message)) return 'unsupported-format';
  if (/not a recognised image/i.test(message)) return 'not-an-image';
  return 'damaged-image';
}
