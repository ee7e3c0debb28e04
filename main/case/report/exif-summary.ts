/**
 * The few EXIF facts an examiner reads first: which camera, when it was taken, and whether the
 * file says where. A small reader of the TIFF structure that sharp's metadata() hands over (no
 * dependency for five tags). Coordinates are read only when asked for: a report goes to people
 * who need to know that a location is recorded, rarely the location itself.
 */
import sharp from 'sharp';

export interface ExifSummary {
  cameraMake: string | null;
  cameraModel: string | null;
  /** DateTimeOriginal as the camera wrote it (local time, with its UTC offset when recorded). */
  capturedAt: string | null;
  /** When the file was last changed by software that wrote EXIF (DateTime, IFD0). */
  modifiedAt: string | null;
  software: string | null;
  /** Whether the file records a position (GPS latitude and longitude). */
  gpsPresent: boolean;
  /** Decimal degrees, only when the caller asked for them. */
  gpsCoordinates: { latitude: number; longitude: number } | null;
}

const TAG = {
  make: 0x010f,
  model: 0x0110,
  software: 0x0131,
  dateTime: 0x0132,
  exifPointer: 0x8769,
  gpsPointer: 0x8825,
  dateTimeOriginal: 0x9003,
  offsetTimeOriginal: 0x9011,
  gpsLatitudeRef: 0x0001,
  gpsLatitude: 0x0002,
  gpsLongitudeRef: 0x0003,
  gpsLongitude: 0x0004,
} as const;

/** EXIF of an image file, or null when it has none (or none this reader can follow). */
export async function readExifSummary(image: Uint8Array, options: { coordinates: boolean }): Promise<ExifSummary | null> {
  const metadata = await sharp(image, { limitInputPixels: false })
    .metadata()
    .catch(() => null);
  if (!metadata?.exif) return null;
  try {
    return parseExif(metadata.exif, options);
  } catch {
    return null; // a damaged EXIF block says nothing reliable: report none rather than guess
  }
}

/** `exif`: the block as stored in the file, with or without its 'Exif\0\0' prefix. */
export function parseExif(exif: Buffer, options: { coordinates: boolean }): ExifSummary | null {
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return null;
  const little = order === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));

  /** Tag -> [type, count, offset of the value field] for one IFD. */
  const readIfd = (offset: number): Map<number, { type: number; count: number; at: number }> => {
    const entries = new Map<number, { type: number; count: number; at: number }>();
    if (offset <= 0 || offset + 2 > tiff.length) return entries;
    const count = u16(offset);
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      if (at + 12 > tiff.length) break;
      entries.set(u16(at), { type: u16(at + 2), count: u32(at + 4), at: at + 8 });
    }
    return entries;
  };
  const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
  const dataAt = (entry: { type: number; count: number; at: number }) => ((SIZES[entry.type] ?? 1) * entry.count <= 4 ? entry.at : u32(entry.at));
  const ascii = (ifd: Map<number, { type: number; count: number; at: number }>, tag: number): string | null => {
    const entry = ifd.get(tag);
    if (!entry || entry.type !== 2) return null;
    const start = dataAt(entry);
    const text = tiff
      .subarray(start, Math.min(start + entry.count, tiff.length))
      .toString('latin1')
      .replace(/\0.*$/s, '')
      .trim();
    return text === '' ? null : text;
  };
  const rationals = (ifd: Map<number, { type: number; count: number; at: number }>, tag: number): number[] | null => {
    const entry = ifd.get(tag);
    if (!entry || entry.type !== 5) return null;
    const start = dataAt(entry);
    return Array.from({ length: entry.count }, (_, i) => u32(start + i * 8) / (u32(start + i * 8 + 4) || Number.NaN));
  };

  const ifd0 = readIfd(u32(4));
  const exifIfd = ifd0.has(TAG.exifPointer) ? readIfd(u32(ifd0.get(TAG.exifPointer)!.at)) : new Map();
  const gpsIfd = ifd0.has(TAG.gpsPointer) ? readIfd(u32(ifd0.get(TAG.gpsPointer)!.at)) : new Map();
  const latitude = rationals(gpsIfd, TAG.gpsLatitude);
  const longitude = rationals(gpsIfd, TAG.gpsLongitude);
  const gpsPresent =
    latitude !== null && longitude !== null && latitude.length === 3 && longitude.length === 3 && [...latitude, ...longitude].every(Number.isFinite);
  const degrees = (parts: number[], ref: string | null, negative: string) => {
    const value = parts[0] + parts[1] / 60 + parts[2] / 3600;
    return Math.round((ref === negative ? -value : value) * 1e6) / 1e6;
  };
  const original = ascii(exifIfd, TAG.dateTimeOriginal);
  const offset = ascii(exifIfd, TAG.offsetTimeOriginal);
  return {
    cameraMake: ascii(ifd0, TAG.make),
    cameraModel: ascii(ifd0, TAG.model),
    capturedAt: original === null ? null : offset === null ? original : `${original} ${offset}`,
    modifiedAt: ascii(ifd0, TAG.dateTime),
    software: ascii(ifd0, TAG.software),
    gpsPresent,
    gpsCoordinates:
      gpsPresent && options.coordinates
        ? { latitude: degrees(latitude!, ascii(gpsIfd, TAG.gpsLatitudeRef), 'S'), longitude: degrees(longitude!, ascii(gpsIfd, TAG.gpsLongitudeRef), 'W') }
        : null,
  };
}
