/** The hash kinds a list can hold, and how each is written. */
export const HASH_KINDS = ['pdq', 'md5', 'sha1', 'sha256'] as const;
export type HashKind = (typeof HASH_KINDS)[number];
/** The kinds matched by equality (PDQ is matched by distance). */
export type ExactHashKind = Exclude<HashKind, 'pdq'>;
export const EXACT_HASH_KINDS: readonly ExactHashKind[] = ['md5', 'sha1', 'sha256'];

export const HEX_LENGTH: Record<HashKind, number> = { pdq: 64, md5: 32, sha1: 40, sha256: 64 };
export const KIND_LABEL: Record<HashKind, string> = { pdq: 'PDQ', md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256' };

/**
 * The kind a hash of this many hexadecimal characters is: 'pdq-or-sha256' for 64, which the
 * length alone cannot tell apart; null for any other length.
 */
export function kindsOfLength(length: number): ExactHashKind | 'pdq-or-sha256' | null {
  if (length === 32) return 'md5';
  if (length === 40) return 'sha1';
  if (length === 64) return 'pdq-or-sha256';
  return null;
}

export function isHex(text: string): boolean {
  return text.length > 0 && /^[0-9a-fA-F]+$/.test(text);
}

/** 'SHA-256', 'sha_256', 'PdqHash' ... to the kind they name; null if none. */
export function kindFromName(name: string): HashKind | null {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (key === 'pdq' || key === 'pdqhash') return 'pdq';
  if (key === 'md5' || key === 'md5hash') return 'md5';
  if (key === 'sha1' || key === 'sha1hash') return 'sha1';
  if (key === 'sha256' || key === 'sha256hash') return 'sha256';
  return null;
}
