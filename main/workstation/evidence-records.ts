/** The case database's records in the contract's shapes (only what the renderer may see). */
import type { CaseFolder } from '../case/case-folder.ts';
import type { ItemSummary } from '../case/records.ts';
import type { EvidenceDetail, EvidenceSummary } from '../ipc/contract/index.ts';
import { filterScoresBy, filterScoresByItem } from './filter-scores.ts';
import { purificationFactsByItem, type PurificationFacts } from './purification-facts.ts';
import { hashMatchViews, triageFactsByItem, type TriageFacts } from './triage-facts.ts';

export function evidenceSummary(item: ItemSummary, facts: PurificationFacts & TriageFacts, filterScores: Record<string, number> | null): EvidenceSummary {
  return {
    itemId: item.id,
    originalName: item.originalName,
    mediaType: item.mediaType,
    width: item.width,
    height: item.height,
    sizeBytes: item.sizeBytes,
    sha256: item.sha256,
    pdqHash: item.pdqHash,
    category: item.category,
    tags: item.tags,
    ...facts,
    filterScores,
  };
}

export function evidenceDetail(opened: CaseFolder, itemId: number): EvidenceDetail {
  const item = opened.db.getItem(itemId);
  const tagHistory = opened.db.tagsOf(itemId);
  const inEffect = tagHistory.filter((tag) => !tag.reversed);
  const tags = [...new Set(inEffect.filter((tag) => tag.kind === 'user').map((tag) => tag.value))].sort();
  const category = inEffect.filter((tag) => tag.kind === 'category').at(-1)?.value ?? null;
  return {
    ...evidenceSummary(
      { ...item, category: category as ItemSummary['category'], tags },
      { ...purificationFactsByItem(opened.db)(itemId), ...triageFactsByItem(opened.db)(itemId) },
      filterScoresByItem(opened.db)(itemId),
    ),
    filterScoresBy: filterScoresBy(opened.db, itemId),
    md5: item.md5,
    pdqQuality: item.pdqQuality,
    originalPath: item.originalPath,
    importedAt: item.importedAt,
    importedBy: item.examiner,
    decodeNotes: item.decodeNotes,
    tagHistory: tagHistory.map(({ kind, value, comment, examiner, createdAt, reversed }) => ({ kind, value, comment, examiner, createdAt, reversed })),
    notes: opened.db.notes({ itemId }).map(({ text, examiner, createdAt }) => ({ text, examiner, createdAt })),
    hashMatches: hashMatchViews(opened.db.hashMatches(itemId)),
  };
}
