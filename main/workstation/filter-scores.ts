/**
 * The content filter's scores as the grid and the item view show them: per item, the class
 * probabilities of its newest verdict on the evidence (one query for the whole case), the filters
 * used in the case with their classes, and where an item's scores come from.
 */
import type { CaseDatabase } from '../case/case-database.ts';
import type { CaseFilterModel, EvidenceDetail } from '../ipc/contract/index.ts';
import { loadModelRegistry } from '../acsr/models/model-registry.ts';

export function filterScoresByItem(db: CaseDatabase): (itemId: number) => Record<string, number> | null {
  const latest = db.stores.verdicts.latestEvidenceScores();
  return (itemId) => latest.get(itemId)?.scores ?? null;
}

/** The filters that have scored items of this case (not every registered one), by name, with their classes. */
export function filterModelsOfCase(db: CaseDatabase): CaseFilterModel[] {
  return db.stores.verdicts
    .modelsUsed()
    .map(({ modelId, classNames }) => ({ modelId, name: contentFilterName(modelId), classNames }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Where the item's filterScores come from (its newest verdict on the evidence), or null. */
export function filterScoresBy(db: CaseDatabase, itemId: number): EvidenceDetail['filterScoresBy'] {
  const newest = db
    .verdicts(itemId)
    .filter((verdict) => verdict.stage === 'before')
    .at(-1);
  if (!newest) return null;
  return {
    modelId: newest.modelId,
    name: contentFilterName(newest.modelId),
    weightsSha256: newest.modelWeightsSha256,
    scoredAt: newest.createdAt,
    atImport: newest.purificationRunId === null,
  };
}

/**
 * A filter's name as people say it: its registry description up to the first bracket or
 * semicolon ("nsfwjs 4.4 MobileNetV2 content filter"); the id for a model the registry no longer lists.
 */
export function contentFilterName(modelId: string): string {
  let description: string | undefined;
  try {
    description = loadModelRegistry().models.find((model) => model.id === modelId)?.description;
  } catch {
    description = undefined;
  }
  const name = description?.split(/ \(|;/)[0].trim();
  return name || modelId;
}
