/**
 * The small picture the content filter sees at import: the evidence resized to exactly the
 * filter's input size (224 x 224 for nsfwjs), RGB, 8 bits. Stretched, not cropped, because the
 * filter's own preprocessing stretches the whole image to its input too (model-input.ts), so the
 * filter judges the whole picture either way. libvips shrinks a JPEG while decoding it, so this
 * costs a few milliseconds even for a camera photo.
 *
 * Orientation and colour are read as the import's full decode reads them (main/io/image.ts): EXIF
 * orientation applied, ICC profiles ignored, alpha dropped, greyscale repeated to RGB.
 */
import sharp from 'sharp';

export interface FilterInputSize {
  width: number;
  height: number;
}

export interface FilterThumbnail extends FilterInputSize {
  /** RGB, interleaved, row-major. */
  rgb: Uint8Array;
}

export async function makeFilterThumbnail(input: Uint8Array | string, size: FilterInputSize): Promise<FilterThumbnail> {
  const { data, info } = await sharp(input, { limitInputPixels: false, autoOrient: true, ignoreIcc: true })
    .resize(size.width, size.height, { fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== size.width || info.height !== size.height) {
    throw new Error(`filter thumbnail came out ${info.width} x ${info.height} x ${info.channels}, expected ${size.width} x ${size.height} x 3`);
  }
  return { width: size.width, height: size.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
