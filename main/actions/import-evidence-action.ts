/**
 * Import files into a case (main/case/import-evidence.ts), or finish an import that stopped:
 * `acsr case import` and the workstation's import job. The content filter that scores every
 * item is loaded here, once per job, on its own worker thread; the case module stays free of
 * TensorFlow.
 */
import { z } from 'zod';
import { importFailureOf } from '../case/import-failures.ts';
import { matchImportedItems } from '../workspace/match-imported.ts';
import type { ImageClassifier } from '../acsr/models/latent-extractor.ts';
import { loadImageClassifierInWorker } from '../acsr/models/worker-image-classifier.ts';
import { DEFAULT_CLASSIFIER_ID } from '../workstation/purification-catalogue.ts';
import { defineAction } from './define-action.ts';
import { withCaseFolder } from './with-case-folder.ts';

/** Per-file problems listed in a job's summary; the rest stay in the case's audit log. */
const LISTED_PROBLEMS = 50;

export const importEvidenceParameters = z.strictObject({
  caseFolder: z.string().min(1),
  examiner: z.string(),
  work: z.discriminatedUnion('kind', [
    /** Folders (searched recursively) and files; the originals are only read. */
    z.strictObject({ kind: z.literal('new'), sources: z.array(z.string().min(1)).min(1) }),
    /** This unfinished import of the case (its job id in the case database), or null: the latest one. */
    z.strictObject({ kind: z.literal('resume'), caseJobId: z.number().int().positive().nullable() }),
  ]),
  /** Images with more pixels are refused (decompression bombs); the case module's default otherwise. */
  maxPixels: z.number().int().min(1).optional(),
  /** The registered content filter that scores every item; null: none; absent: the default filter. */
  contentFilter: z.string().min(1).nullable().optional(),
});

/** Share of the bar for loading the content filter (a second or two) before the first file. */
const LOADING_SHARE = 0.02;

export const importEvidenceAction = defineAction({
  name: 'import',
  parameters: importEvidenceParameters,
  run: ({ caseFolder: folder, examiner, work, maxPixels, contentFilter }, { progress, signal, note }) =>
    withCaseFolder(folder, note, async (caseFolder) => {
      const filterId = contentFilter === undefined ? DEFAULT_CLASSIFIER_ID : contentFilter;
      let classifier: ImageClassifier | undefined;
      try {
        if (filterId !== null) {
          progress.report({ stage: 'loading the content filter', fraction: 0, message: filterId });
          // On a thread of its own, so that files are committed while a batch is scored; folded
          // for scoring (the import never trains it), which is the same scores in half the time.
          classifier = await loadImageClassifierInWorker(filterId, { scoringOnly: true });
        }
        const control = {
          examiner,
          progress: classifier ? progress.sub(LOADING_SHARE, 1) : progress,
          signal,
          ...(maxPixels !== undefined ? { maxPixels } : {}),
          ...(classifier ? { classifier } : {}),
        };
        const summary = await (work.kind === 'new'
          ? caseFolder.importEvidence(work.sources, control)
          : caseFolder.resumeImport({ ...control, ...(work.caseJobId !== null ? { jobId: work.caseJobId } : {}) }));
        // The new items are matched against the workspace's hash lists as part of the import.
        const imported = summary.outcomes.filter((outcome) => outcome.outcome === 'imported').map((outcome) => outcome.itemId!);
        const hashListMatches = await matchImportedItems(caseFolder, imported, { examiner, progress, signal });
        return { ...summary, hashListMatches };
      } finally {
        classifier?.dispose();
      }
    }),
  summary: (summary) => ({
    caseJobId: summary.jobId,
    resumed: summary.resumed,
    total: summary.total,
    imported: summary.imported,
    duplicates: summary.duplicates,
    errors: summary.errors,
    hashListMatches: summary.hashListMatches,
    problems: [
      ...summary.outcomes.filter((outcome) => outcome.outcome === 'error').map((outcome) => outcome.message ?? outcome.sourcePath),
      ...(summary.filter?.problems.map((problem) => problem.message) ?? []),
    ].slice(0, LISTED_PROBLEMS),
    /** Items the content filter scored in this run (null: no filter). */
    classified: summary.filter?.classified ?? null,
    /** The same files as `problems`, each with a plain reason (main/case/import-failures.ts), for the jobs panel's list. */
    failures: summary.outcomes
      .flatMap((outcome) => importFailureOf(summary.jobId, outcome) ?? [])
      .slice(0, LISTED_PROBLEMS)
      .map(({ file, reason }) => ({ file, reason })),
  }),
});
