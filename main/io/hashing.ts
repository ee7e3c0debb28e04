import { createHash } from 'node:crypto';

/**
 * The SHA-256 every record in the product uses (evidence, bundles, models, reports, the audit
 * chain), as lower-case hex. A string is hashed as its UTF-8 bytes. Streaming hashes of large
 * files and combined fingerprints keep their own `createHash`, since they feed it piece by piece.
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
