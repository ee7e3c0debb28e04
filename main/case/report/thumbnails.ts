/**
 * Small previews for the HTML and PDF reports. By default they are blurred and greyscale: a
 * report is read by reviewers, lawyers and managers who need to see that a picture is there and
 * roughly what it is, not its detail. Only an examiner's explicit choice (--no-blur) reveals them.
 */
import sharp from 'sharp';
import type { ThumbnailMode } from './report-model.ts';

export const THUMBNAIL_SIZE = 160;
/** Gaussian sigma in thumbnail pixels: enough to hide faces and detail at 160 px, not the layout. */
const BLUR_SIGMA = 6;
const JPEG_QUALITY = 70;

export interface Thumbnail {
  mediaType: 'image/jpeg';
  bytes: Buffer;
  width: number;
  height: number;
}

/** `bytes`: a verified evidence file or a stored purified output. */
export async function makeThumbnail(bytes: Uint8Array, mode: Exclude<ThumbnailMode, 'none'>): Promise<Thumbnail> {
  // rotate() applies EXIF orientation, as the import's decoder does; flatten() drops alpha on white.
  let pipeline = sharp(bytes, { limitInputPixels: false })
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true });
  // A second pipeline, so the blur is applied to the thumbnail and sigma means the same whatever
  // the original's size.
  // toColourspace('b-w') makes it one channel: greyscale() alone keeps three identical ones.
  if (mode === 'blurred')
    pipeline = sharp(await pipeline.toBuffer())
      .greyscale()
      .blur(BLUR_SIGMA)
      .toColourspace('b-w');
  const { data, info } = await pipeline.jpeg({ quality: JPEG_QUALITY }).toBuffer({ resolveWithObject: true });
  return { mediaType: 'image/jpeg', bytes: data, width: info.width, height: info.height };
}

export function thumbnailDataUri(thumbnail: Thumbnail): string {
  return `data:${thumbnail.mediaType};base64,${thumbnail.bytes.toString('base64')}`;
}
