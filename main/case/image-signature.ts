/**
 * What a file's first bytes say it is. The import reads them from the open descriptor before
 * copying anything, so a file that cannot be one of the image formats it imports (a multi-gigabyte
 * sparse file of zeros, a renamed video) is refused without being copied or hashed in full.
 * The decoder still has the last word on files that pass: this only rules files out.
 */

/** Bytes needed to tell the formats below apart. */
export const SIGNATURE_BYTES = 16;

export type SignatureVerdict = { kind: 'supported'; format: 'png' | 'jpeg' | 'webp' | 'tiff' } | { kind: 'unsupported'; format: string } | { kind: 'unknown' };

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) => bytes.every((byte, index) => head[at + index] === byte);
const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

export function imageSignature(head: Uint8Array): SignatureVerdict {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'supported', format: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'supported', format: 'jpeg' };
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return { kind: 'supported', format: 'webp' };
  // Classic TIFF (42) and BigTIFF (43), either byte order.
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'supported', format: 'tiff' };
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return { kind: 'supported', format: 'tiff' };
  // Image formats the decoder knows but the import does not take: named, so the examiner knows why.
  if (startsWith(head, ascii('GIF8'))) return { kind: 'unsupported', format: 'gif' };
  // 'BM', the file size, then two reserved 16-bit zeros (a bare 'BM' starts plenty of text files).
  if (startsWith(head, ascii('BM')) && startsWith(head, [0, 0, 0, 0], 6)) return { kind: 'unsupported', format: 'bmp' };
  if (startsWith(head, ascii('ftyp'), 4)) return { kind: 'unsupported', format: 'heif' };
  if (startsWith(head, [0xff, 0x0a]) || startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return { kind: 'unsupported', format: 'jxl' };
  if (startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return { kind: 'unsupported', format: 'jp2k' };
  return { kind: 'unknown' };
}
