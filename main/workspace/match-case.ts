/**
 * Matching a case's evidence against the workspace's known-content hash lists: exact MD5, SHA-1
 * and SHA-256, and PDQ within a threshold (default 31 bits) over the eight rotations and mirrors
 * of each item, so a rotated or mirrored copy of a listed picture is found too.
 *
 * An import keeps each item's SHA-1 and the PDQ hashes of its eight variants (those cannot be
 * derived from the 64 hex characters of the plain hash), so matching reads them from the case;
 * only an item imported by an older version, which has none kept, is read from the store, checked
 * against its SHA-256 (CaseFolder.readEvidence), hashed and decoded here.
 *
 * The matches are kept in the case: those not found before are added, with one audit entry for
 * the run that names the version (SHA-256) of every list it used and lists the rows it added.
 */
import { createHash } from 'node:crypto';
import type { CaseFolder } from '../case/case-folder.ts';
import { DEFAULT_MAX_PIXELS, decodeImageSamples } from '../io/image.ts';

import { computePdqDihedralOfBytes, PDQ_MATCH_THRESHOLD, PDQ_QUALITY_DISCARD_AT_OR_BELOW, type PdqDihedralHashes } from '../pdq/pdq.ts';
import { DIHEDRAL_NAMES, type DihedralName } from '../pdq/dihedral.ts';
import { bytePlaneForPdq } from '../pdq/pdq-input.ts';
import type { TaskControl } from '../progress/progress.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { EXACT_HASH_KINDS, type HashKind } from '../triage/hash-kinds.ts';
import { matchPdqList, packDihedralHashes } from '../triage/pdq-matching.ts';
import type { HashListRecord } from './hash-list-store.ts';
import type { WorkspaceDatabase } from './workspace-database.ts';

export interface CaseHashMatch {
  itemId: number;
  itemName: string;
  listId: number;
  listName: string;
  /** The list's version: the SHA-256 of the file it was imported from. */
  listSha256: string;
  kind: HashKind;
  /** 0 for an exact hash; the PDQ distance in bits for a PDQ match. */
  distance: number;
  /** For PDQ: the item's rotation or mirror that came closest. */
  variant: DihedralName | null;
  category: string | null;
  source: string | null;
  /** The line of the list file the entry starts on. */
  line: number;
}

export interface CaseMatchSummary {
  threshold: number;
  lists: Array<Pick<HashListRecord, 'id' | 'name' | 'sha256'>>;
  itemsChecked: number;
  /** Items whose PDQ hash is too unreliable to match by distance (quality at or below 49). */
  itemsBelowPdqQuality: number[];
  matchedItems: number;
  matches: CaseHashMatch[];
  /** Matches this run added to the case (those found by an earlier run are kept, not added again). */
  added: number;
  /** The audit entry that records the run. */
  auditSequence: number;
}

export interface MatchCaseOptions extends TaskControl {
  examiner: string;
  threshold?: number;
  /** Only these items (an import's new items); default: every item of the case. */
  itemIds?: readonly number[];
}

interface ItemHashes {
  id: number;
  name: string;
  exact: Record<'md5' | 'sha1' | 'sha256', string | null>;
  pdq: PdqDihedralHashes | null;
}

/** Items read and hashed concurrently (see matchCaseAgainstHashLists). */
const ITEMS_IN_FLIGHT = 3;

export async function matchCaseAgainstHashLists(caseFolder: CaseFolder, workspace: WorkspaceDatabase, options: MatchCaseOptions): Promise<CaseMatchSummary> {
  const threshold = options.threshold ?? PDQ_MATCH_THRESHOLD;
  const lists = workspace.hashLists.all();
  if (lists.length === 0) throw new UserInputError(`no hash lists in the workspace ${workspace.path}; import one with 'acsr hashlist import'`);
  const needsSha1 = lists.some((list) => list.counts.sha1 > 0);
  const needsPdq = lists.some((list) => list.counts.pdq > 0);
  const byId = new Map(lists.map((list) => [list.id, list]));

  // A few items in flight at once: one item's file is read, or decoded by libvips on its own
  // threads, while another's PDQ variants are computed here. Results keep the items' order.
  const only = options.itemIds ? new Set(options.itemIds) : null;
  const queue = [...caseFolder.db.items()].filter((item) => only === null || only.has(item.id));
  const kept = caseFolder.db.itemMatchHashes();
  const items: ItemHashes[] = new Array(queue.length);
  let next = 0;
  let done = 0;
  // Set when a lane fails, so the others stop taking items (the case closes once the run fails).
  let failed = false;
  const hashNext = async (): Promise<void> => {
    while (!failed && next < queue.length) {
      options.signal?.throwIfAborted();
      const at = next++;
      const item = queue[at];
      const hashes: ItemHashes = { id: item.id, name: item.originalName, exact: { md5: item.md5, sha1: null, sha256: item.sha256 }, pdq: null };
      const stored = kept.get(item.id);
      if (stored) {
        hashes.exact.sha1 = stored.sha1;
        if (needsPdq && item.pdqQuality > PDQ_QUALITY_DISCARD_AT_OR_BELOW) hashes.pdq = variantsOf(stored.pdqVariants, item.pdqQuality);
      } else if (needsSha1 || (needsPdq && item.pdqQuality > PDQ_QUALITY_DISCARD_AT_OR_BELOW)) {
        const { bytes } = await caseFolder.readEvidence(item.id, { examiner: options.examiner });
        if (needsSha1) hashes.exact.sha1 = createHash('sha1').update(bytes).digest('hex');
        if (needsPdq && item.pdqQuality > PDQ_QUALITY_DISCARD_AT_OR_BELOW) {
          const samples = await decodeImageSamples(bytes, { source: item.originalName, maxPixels: DEFAULT_MAX_PIXELS });
          hashes.pdq = computePdqDihedralOfBytes(bytePlaneForPdq(samples, { overwriteSamples: true }));
        }
      }
      items[at] = hashes;
      done++;
      options.progress?.report({ stage: 'hash items', fraction: done / queue.length, message: `item ${item.id} (${done} of ${queue.length})` });
    }
  };
  const lane = () =>
    hashNext().catch((error: unknown) => {
      failed = true;
      throw error;
    });
  await Promise.all(Array.from({ length: ITEMS_IN_FLIGHT }, lane));
  const lowQuality = needsPdq ? queue.filter((item) => item.pdqQuality <= PDQ_QUALITY_DISCARD_AT_OR_BELOW).map((item) => item.id) : [];

  const found: Array<Omit<CaseHashMatch, 'category' | 'source' | 'line' | 'listName' | 'listSha256'> & { entry: number }> = [];
  for (const item of items) {
    for (const kind of EXACT_HASH_KINDS) {
      const hex = item.exact[kind];
      if (hex === null) continue;
      for (const { listId, entry } of workspace.hashLists.exactMatches(kind, hex)) {
        found.push({ itemId: item.id, itemName: item.name, listId, entry, kind, distance: 0, variant: null });
      }
    }
  }
  if (needsPdq) {
    options.progress?.report({ stage: 'match PDQ', fraction: 0 });
    const stored = workspace.hashLists.pdqHashes();
    const withPdq = items.filter((item) => item.pdq !== null);
    const variants = packDihedralHashes(withPdq.map((item) => item.pdq!));
    for (const match of matchPdqList(variants, stored, threshold, { signal: options.signal })) {
      const item = withPdq[match.item];
      found.push({
        itemId: item.id,
        itemName: item.name,
        listId: stored.listOfRow[match.row],
        entry: stored.entryOfRow[match.row],
        kind: 'pdq',
        distance: match.distance,
        variant: match.variant,
      });
    }
  }

  const matches: CaseHashMatch[] = found
    .map(({ entry, ...match }) => {
      const list = byId.get(match.listId)!;
      return { ...match, listName: list.name, listSha256: list.sha256, ...workspace.hashLists.entry(match.listId, entry) };
    })
    .sort((a, b) => a.itemId - b.itemId || a.listId - b.listId || a.line - b.line || a.kind.localeCompare(b.kind));
  const matchedItems = new Set(matches.map((match) => match.itemId)).size;
  const summary: Omit<CaseMatchSummary, 'added' | 'auditSequence'> = {
    threshold,
    lists: lists.map(({ id, name, sha256 }) => ({ id, name, sha256 })),
    itemsChecked: items.length,
    itemsBelowPdqQuality: lowQuality,
    matchedItems,
    matches,
  };
  const recorded = caseFolder.db.recordHashMatches({
    examiner: options.examiner,
    run: { threshold, lists: summary.lists.map(({ name, sha256 }) => ({ name, sha256 })), itemsChecked: items.length },
    matches: matches.map(({ itemId, listName, listSha256, line, kind, distance, variant, category, source }) => ({
      itemId,
      listName,
      listSha256,
      line,
      kind,
      distance,
      variant,
      category,
      source,
    })),
  });
  return { ...summary, added: recorded.added.length, auditSequence: recorded.auditSequence };
}

/** The kept hashes (DIHEDRAL_NAMES order) as the matcher takes them. */
function variantsOf(hashes: readonly string[], quality: number): PdqDihedralHashes {
  if (hashes.length !== DIHEDRAL_NAMES.length) throw new Error(`expected ${DIHEDRAL_NAMES.length} kept PDQ hashes, found ${hashes.length}`);
  return Object.fromEntries(DIHEDRAL_NAMES.map((name, v) => [name, { hash: hashes[v], quality }])) as PdqDihedralHashes;
}
