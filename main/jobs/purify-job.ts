/**
 * Worker thread: stage iii on evidence items of a case (main/case/purify-evidence.ts), or the
 * rest of an unfinished purify job. Loading the models and the CBPDN solver's own worker threads
 * all live here, off the thread that answers the renderer.
 */
import { loadImageClassifier, loadLatentExtractor, type ImageClassifier, type LatentExtractor } from '../acsr/models/latent-extractor.ts';
import { loadReferenceBundle } from '../acsr/references/bundle-reader.ts';
import { CaseFolder } from '../case/case-folder.ts';
import { purifyEvidence, resumablePurifyJob, resumePurifyJob } from '../case/purify-evidence.ts';
import { throwIfCancelled } from '../progress/progress.ts';
import { runJobWorker } from './run-job-worker.ts';

export interface PurifyJobParameters {
  caseFolder: string;
  examiner: string;
  /** A new job: these items with this bundle (resolved by the service from a known id). */
  itemIds: number[] | null;
  bundlePath: string | null;
  classifierId: string | null;
  override: { cluster: string; reason: string } | null;
  /** Or: carry on with this unfinished purify job of the case, with its own settings. */
  resumeCaseJobId: number | null;
}

/** Share of the bar for loading the bundle and models (a few seconds) before the first item. */
const LOADING_SHARE = 0.05;

runJobWorker<PurifyJobParameters>(async (parameters, { progress, signal }) => {
  const opened = await CaseFolder.open(parameters.caseFolder);
  let extractor: LatentExtractor | undefined;
  let classifier: ImageClassifier | undefined;
  try {
    const resuming = parameters.resumeCaseJobId === null ? null : resumablePurifyJob(opened, parameters.resumeCaseJobId);
    const bundlePath = resuming ? resuming.parameters.bundlePath : parameters.bundlePath!;
    const classifierId = resuming ? resuming.parameters.classifier?.id ?? null : parameters.classifierId;

    progress.report({ stage: 'loading models', fraction: 0, message: 'reference bundle' });
    const bundle = await loadReferenceBundle(bundlePath);
    progress.report({ stage: 'loading models', fraction: LOADING_SHARE / 2, message: bundle.manifest.extractor.id });
    extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
    if (classifierId !== null) classifier = await loadImageClassifier(classifierId);
    throwIfCancelled(signal);

    const work = progress.sub(LOADING_SHARE, 1);
    const common = { bundle, extractor, examiner: parameters.examiner, progress: work, signal, ...(classifier ? { classifier } : {}) };
    const summary = resuming
      ? await resumePurifyJob(opened, { ...common, jobId: resuming.jobId })
      : await purifyEvidence(opened, { ...common, itemIds: parameters.itemIds!, ...(parameters.override ? { override: parameters.override } : {}) });
    return {
      caseJobId: summary.jobId,
      resumed: summary.resumed,
      purified: summary.items.length,
      doneEarlier: summary.doneEarlier.length,
      imagesPerMinute: summary.imagesPerMinute,
      runs: summary.items.map((item) => ({ itemId: item.itemId, runId: item.run.id, pdqDistance: item.run.pdqDistance })),
      warnings: summary.items.flatMap((item) => item.warnings),
    };
  } finally {
    classifier?.dispose();
    extractor?.dispose();
    opened.close();
  }
});
