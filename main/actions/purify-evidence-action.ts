/**
 * Stage iii on evidence items of a case (main/case/purify-evidence.ts), or the rest of a purify
 * job that stopped: `acsr case purify` and the workstation's purify job. Loading the bundle and
 * the models happens here; the case module stays free of TensorFlow.
 */
import { z } from 'zod';
import { openEvasionScorer, type EvasionScorer } from '../acsr/evasion/evasion-scorer.ts';
import { loadImageClassifier, loadLatentExtractor, type ImageClassifier, type LatentExtractor } from '../acsr/models/latent-extractor.ts';
import { loadReferenceBundle } from '../acsr/references/bundle-reader.ts';
import type { CaseFolder } from '../case/case-folder.ts';
import { purifyEvidence, resumablePurifyJob, resumePurifyJob, type PurifyEvidenceRequest, type PurifyEvidenceSummary } from '../case/purify-evidence.ts';
import { throwIfCancelled } from '../progress/progress.ts';
import { defineAction } from './define-action.ts';
import { withCaseFolder } from './with-case-folder.ts';

/** Share of the bar for loading the bundle and models (a few seconds) before the first item. */
const LOADING_SHARE = 0.05;

export const purifyEvidenceParameters = z.strictObject({
  caseFolder: z.string().min(1),
  examiner: z.string(),
  work: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('new'),
      items: z.union([z.array(z.number().int().positive()).min(1), z.literal('all')]),
      bundlePath: z.string().min(1),
      /** Scores the evidence and the output (verdicts before and after); null for none. */
      classifierId: z.string().min(1).nullable(),
      /** An investigator's cluster instead of the nearest, with the reason recorded. */
      override: z.strictObject({ cluster: z.string(), reason: z.string() }).nullable(),
      /** The CBPDN iteration cap and threads; the method's (or a tuned bundle's) values otherwise. */
      options: z.strictObject({ maxIterations: z.number().int().min(1).optional(), threads: z.number().int().min(1).optional() }).default({}),
    }),
    /** This unfinished purify job of the case, or null: the latest one; with its own settings. */
    z.strictObject({ kind: z.literal('resume'), caseJobId: z.number().int().positive().nullable() }),
  ]),
});

type PurifyEvidenceParameters = z.output<typeof purifyEvidenceParameters>;

export interface PurifyEvidenceOutcome {
  summary: PurifyEvidenceSummary;
  bundlePath: string;
  bundleManifestSha256: string;
}

export const purifyEvidenceAction = defineAction({
  name: 'purify',
  parameters: purifyEvidenceParameters,
  run: ({ caseFolder: folder, examiner, work }, { progress, signal, note }) =>
    withCaseFolder(folder, note, async (caseFolder): Promise<PurifyEvidenceOutcome> => {
      const plan = planOf(caseFolder, work);
      for (const itemId of plan.itemIds) caseFolder.db.getItem(itemId);
      let extractor: LatentExtractor | undefined;
      let classifier: ImageClassifier | undefined;
      let evasion: EvasionScorer | null = null;
      try {
        progress.report({ stage: 'loading models', fraction: 0, message: 'reference bundle' });
        const bundle = await loadReferenceBundle(plan.bundlePath);
        progress.report({ stage: 'loading models', fraction: LOADING_SHARE / 2, message: bundle.manifest.extractor.id });
        extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
        if (plan.classifierId !== null) classifier = await loadImageClassifier(plan.classifierId);
        // a bundle calibrated by `acsr calibrate-evasion` scores every item; one without is purified alone
        evasion = await openEvasionScorer(bundle.manifest, bundle.path);
        if (!evasion) note(`${bundle.path}: no evasion check for this bundle (it carries no evasion calibration)`);
        throwIfCancelled(signal);

        const common = {
          bundle,
          extractor,
          examiner,
          progress: progress.sub(LOADING_SHARE, 1),
          signal,
          ...(classifier ? { classifier } : {}),
          ...(evasion ? { evasion } : {}),
        };
        const summary = await plan.purify(common);
        return { summary, bundlePath: bundle.path, bundleManifestSha256: bundle.manifestSha256 };
      } finally {
        evasion?.dispose();
        classifier?.dispose();
        extractor?.dispose();
      }
    }),
  summary: ({ summary }) => ({
    caseJobId: summary.jobId,
    resumed: summary.resumed,
    purified: summary.items.length,
    doneEarlier: summary.doneEarlier.length,
    imagesPerMinute: summary.imagesPerMinute,
    runs: summary.items.map((item) => ({
      itemId: item.itemId,
      runId: item.run.id,
      pdqDistance: item.run.pdqDistance,
      evasion: item.run.evasion ? { score: item.run.evasion.score, suspected: item.run.evasion.suspected } : null,
    })),
    warnings: summary.items.flatMap((item) => item.warnings),
  }),
});

type LoadedModels = Omit<PurifyEvidenceRequest, 'itemIds' | 'override' | 'options'>;

interface PurifyPlan {
  itemIds: readonly number[];
  bundlePath: string;
  classifierId: string | null;
  purify: (models: LoadedModels) => Promise<PurifyEvidenceSummary>;
}

/** The items, bundle and classifier of the work: given, or those the stopped job recorded. */
function planOf(caseFolder: CaseFolder, work: PurifyEvidenceParameters['work']): PurifyPlan {
  if (work.kind === 'resume') {
    const { jobId, parameters } = resumablePurifyJob(caseFolder, work.caseJobId ?? undefined);
    return {
      itemIds: parameters.itemIds,
      bundlePath: parameters.bundlePath,
      classifierId: parameters.classifier?.id ?? null,
      purify: (models) => resumePurifyJob(caseFolder, { ...models, jobId }),
    };
  }
  const itemIds = work.items === 'all' ? [...caseFolder.db.items()].map((item) => item.id) : work.items;
  return {
    itemIds,
    bundlePath: work.bundlePath,
    classifierId: work.classifierId,
    purify: (models) => purifyEvidence(caseFolder, { ...models, itemIds, options: work.options, ...(work.override ? { override: work.override } : {}) }),
  };
}
