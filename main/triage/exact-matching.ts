/** Matching items' file hashes (MD5, SHA-1, SHA-256) against a list's, by equality. */
import { EXACT_HASH_KINDS, type ExactHashKind } from './hash-kinds.ts';
import type { HashList } from './hash-list.ts';

export type ItemFileHashes = Partial<Record<ExactHashKind, string | null>>;

export interface ExactListMatch {
  item: number;
  entry: number;
  kind: ExactHashKind;
}

/** Every (item, kind) whose hash the list holds, sorted by item, then kind (md5, sha1, sha256). */
export function matchExactHashes(items: readonly ItemFileHashes[], list: HashList): ExactListMatch[] {
  const matches: ExactListMatch[] = [];
  items.forEach((hashes, item) => {
    for (const kind of EXACT_HASH_KINDS) {
      const hex = hashes[kind];
      if (!hex) continue;
      const entry = list.lookup(kind, hex);
      if (entry !== undefined) matches.push({ item, entry, kind });
    }
  });
  return matches;
}
