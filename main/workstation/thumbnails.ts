/**
 * Thumbnails for the evidence grid, made from the stored evidence after its hash is checked
 * (CaseFolder.readEvidence), never from the original. Kept in a small LRU cache so scrolling
 * back and forth does not decode the same images again.
 */
import sharp from 'sharp';

const CACHE_ENTRIES = 1000;

export class ThumbnailCache {
  readonly #entries = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = CACHE_ENTRIES) {
    this.#capacity = capacity;
  }

  async get(key: string, make: () => Promise<string>): Promise<string> {
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const made = await make();
    this.#entries.set(key, made);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return made;
  }
}

/** A JPEG no larger than maxEdge on either side, upright (EXIF orientation applied), as base64. */
export async function makeThumbnailBase64(bytes: Uint8Array, maxEdge: number): Promise<string> {
  const jpeg = await sharp(bytes, { failOn: 'none' })
    .autoOrient()
    .resize(maxEdge, maxEdge, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#808080' })
    .jpeg({ quality: 80 })
    .toBuffer();
  return jpeg.toString('base64');
}
