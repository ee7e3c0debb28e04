/**
 * `acsr case purify`: stage iii on evidence items. Each item is read through the verifying
 * reader (a file that no longer matches its hash is refused), purified, and the purified PNG is
 * stored in the case's content-addressed store beside the evidence (read-only, named by its
 * SHA-256); the evidence itself is only read. The run (bundle and manifest hash, parameters,
 * cluster chosen, every distance, any override with its reason, output SHA-256 and PDQ, PDQ
 * distance, timings) and, with a classifier, the verdicts on the evidence and on the output, are
 * recorded with their audit entries.
 *
 * Models are passed in, not loaded here, so the case module stays free of TensorFlow.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { EvasionScorer } from '../acsr/evasion/evasion-scorer.ts';
import type { ImageClassifier, LatentExtractor } from '../acsr/models/latent-extractor.ts';
import { BatchProgress, imagesPerMinute, runBatch } from '../acsr/purification/batch-runner.ts';
import { PurificationEngines } from '../acsr/purification/purification-engines.ts';
import { recordedPurificationSettings } from '../acsr/purification/purification-options.ts';
import { purifyImage, type PurificationOptions } from '../acsr/purification/purify-image.ts';
import { resolvePurificationOptions } from '../acsr/tuning/purification-defaults.ts';
import { findCluster, type ReferenceBundle } from '../acsr/references/bundle-reader.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { decodeImage, encodePng, readImageHeader } from '../io/image.ts';
import type { ImageArray } from '../acsr/array/image-array.ts';
import { pdqHammingDistance } from '../pdq/pdq.ts';
import { CancelledError, silentProgress, throwIfCancelled, type ProgressReporter, type TaskControl } from '../progress/progress.ts';
import type { CaseFolder } from './case-folder.ts';
import { examineEvidenceImage } from './evidence-image.ts';
import { storePurificationComponents } from './purification-components.ts';
import { evasionOfRun } from './purification-evasion.ts';
import type { PurificationRun, Verdict, VerdictInput } from './records.ts';

export interface PurifyEvidenceRequest extends TaskControl {
  itemIds: readonly number[];
  bundle: ReferenceBundle;
  /** The bundle's own extractor (purifyImage refuses another). */
  extractor: LatentExtractor;
  /** Scores the evidence and the purified output ('before' and 'after' verdicts). */
  classifier?: ImageClassifier;
  /** The bundle's evasion score, when it carries a calibration (openEvasionScorer); recorded with each run. */
  evasion?: EvasionScorer;
  examiner: string;
  /** Use this cluster ('class:index' or position) instead of the nearest; needs a reason. */
  override?: { cluster: string; reason: string };
  options?: Partial<Omit<PurificationOptions, 'clusterOverride'>>;
}

export interface PurifiedItem {
  itemId: number;
  run: PurificationRun;
  verdicts: Verdict[];
  /** e.g. CBPDN did not converge within the iteration cap. */
  warnings: string[];
}

export interface PurifyEvidenceSummary {
  jobId: number;
  items: PurifiedItem[];
  resumed: boolean;
  /** Items of a resumed job that earlier processes had already purified. */
  doneEarlier: number[];
  /** Items purified by this run per minute of its wall time. */
  imagesPerMinute: number;
}

export const PURIFY_JOB_KIND = 'purify';

/** What a purify job records, enough for --resume to carry on with the same settings. */
export interface PurifyJobParameters {
  itemIds: number[];
  bundleId: string;
  bundlePath: string;
  bundleManifestSha256: string;
  clusterOverride: { cluster: string; reason: string } | null;
  classifier: { id: string; weightsSha256: string } | null;
  options: Partial<Omit<PurificationOptions, 'clusterOverride'>>;
}

// The case stores a job's parameters as JSON; reading them back is checked, not cast, so that a
// damaged or foreign row is refused by name instead of failing somewhere in the middle of a resume.
const recordedPurifyJobSchema = z.object({
  itemIds: z.array(z.number().int()),
  bundleId: z.string(),
  bundlePath: z.string(),
  bundleManifestSha256: z.string(),
  clusterOverride: z.object({ cluster: z.string(), reason: z.string() }).nullable(),
  classifier: z.object({ id: z.string(), weightsSha256: z.string() }).nullable(),
  options: z.custom<PurifyJobParameters['options']>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
});

/** A purify job's recorded parameters, checked. */
export function recordedPurifyJobParameters(jobId: number, recorded: unknown): PurifyJobParameters {
  const parsed = recordedPurifyJobSchema.safeParse(recorded);
  if (!parsed.success) throw new UserInputError(`purify job ${jobId} of this case has settings this version cannot read`);
  return parsed.data;
}

export async function purifyEvidence(caseFolder: CaseFolder, request: PurifyEvidenceRequest): Promise<PurifyEvidenceSummary> {
  const { db } = caseFolder;
  const override =
    request.override === undefined ? undefined : { cluster: findCluster(request.bundle, request.override.cluster), reason: request.override.reason.trim() };
  if (override && override.reason.length === 0) throw new UserInputError('a cluster override needs a reason (--reason)');
  if (request.itemIds.length === 0) throw new UserInputError('no evidence items to purify');
  for (const itemId of request.itemIds) db.getItem(itemId);
  const parameters: PurifyJobParameters = {
    itemIds: [...request.itemIds],
    bundleId: bundleIdOf(request.bundle),
    bundlePath: resolve(request.bundle.path),
    bundleManifestSha256: request.bundle.manifestSha256,
    clusterOverride: override ? { cluster: override.cluster.id, reason: override.reason } : null,
    classifier: request.classifier ? { id: request.classifier.identity.id, weightsSha256: request.classifier.identity.weightSha256 } : null,
    options: request.options ?? {},
  };
  const job = db.startJob({ kind: PURIFY_JOB_KIND, examiner: request.examiner, total: request.itemIds.length, parameters: { ...parameters } });
  return runPurifyJob(caseFolder, job.id, parameters, request.itemIds, { ...request, override: parameters.clusterOverride ?? undefined }, false);
}

/** The given purify job, or the latest one that did not finish, if it can be resumed. */
export function resumablePurifyJob(caseFolder: CaseFolder, jobId?: number): { jobId: number; parameters: PurifyJobParameters } {
  const resumable = caseFolder.db.jobs({ kind: PURIFY_JOB_KIND, states: ['interrupted', 'cancelled', 'failed'] });
  const job = jobId === undefined ? resumable.at(-1) : resumable.find((candidate) => candidate.id === jobId);
  if (!job)
    throw new UserInputError(jobId === undefined ? 'no interrupted, cancelled or failed purify job to resume' : `purify job ${jobId} cannot be resumed`);
  return { jobId: job.id, parameters: recordedPurifyJobParameters(job.id, job.parameters) };
}

/**
 * Carries on with a purify job that stopped: the items it has not yet recorded a run for, with
 * the job's own settings. The bundle and classifier must be the ones the job started with.
 */
export async function resumePurifyJob(
  caseFolder: CaseFolder,
  request: Omit<PurifyEvidenceRequest, 'itemIds' | 'override' | 'options'> & { jobId: number },
): Promise<PurifyEvidenceSummary> {
  const { db } = caseFolder;
  const { parameters } = resumablePurifyJob(caseFolder, request.jobId);
  if (request.bundle.manifestSha256 !== parameters.bundleManifestSha256) {
    throw new UserInputError(
      `purify job ${request.jobId} used bundle ${parameters.bundlePath} with manifest SHA-256 ${parameters.bundleManifestSha256}; ${request.bundle.path} has ${request.bundle.manifestSha256}`,
    );
  }
  const classifierId = request.classifier ? { id: request.classifier.identity.id, weightsSha256: request.classifier.identity.weightSha256 } : null;
  if (JSON.stringify(classifierId) !== JSON.stringify(parameters.classifier)) {
    throw new UserInputError(`purify job ${request.jobId} used classifier ${parameters.classifier?.id ?? 'none'}; resume it with the same`);
  }
  const done = new Set(parameters.itemIds.filter((itemId) => db.purificationRuns(itemId).some((run) => run.jobId === request.jobId)));
  db.resumeJob(request.jobId, request.examiner);
  const remaining = parameters.itemIds.filter((itemId) => !done.has(itemId));
  return runPurifyJob(
    caseFolder,
    request.jobId,
    parameters,
    remaining,
    { ...request, override: parameters.clusterOverride ?? undefined, options: parameters.options },
    true,
    [...done],
  );
}

async function runPurifyJob(
  caseFolder: CaseFolder,
  jobId: number,
  parameters: PurifyJobParameters,
  itemIds: readonly number[],
  request: Omit<PurifyEvidenceRequest, 'itemIds'>,
  resumed: boolean,
  doneEarlier: number[] = [],
): Promise<PurifyEvidenceSummary> {
  const { db } = caseFolder;
  const progress = request.progress ?? silentProgress;
  const override =
    request.override === undefined ? undefined : { cluster: findCluster(request.bundle, request.override.cluster), reason: request.override.reason };
  const done: PurifiedItem[] = [];
  const summary = () => ({ purified: [...doneEarlier, ...done.map((item) => item.itemId)], runIds: done.map((item) => item.run.id) });
  // one set of CBPDN worker threads for the whole job (starting them costs ~1 s per image
  // otherwise), and one item per worker while several remain: no barriers inside a tile, and one
  // item's reading, latent, verdicts and storing overlap another's sparse coding
  const threads = Math.max(1, Math.floor(request.options?.threads ?? availableParallelism()));
  const imagesAtOnce = Math.min(itemIds.length, threads);
  const engines = new PurificationEngines({ threads, imagesAtOnce, prestart: true });
  const batchProgress = new BatchProgress(progress, itemIds.length);
  const started = performance.now();
  const rate = () => imagesPerMinute(done.length, (performance.now() - started) / 1000);
  let items: PurifiedItem[];
  try {
    items = await runBatch(itemIds, { imagesAtOnce }, async (itemId, index, admit) => {
      throwIfCancelled(request.signal);
      const pace = done.length > 0 ? `, ${rate().toFixed(1)} images/min` : '';
      const itemProgress = batchProgress.item(index, `item ${itemId} (${index + 1} of ${itemIds.length})${pace}`);
      const item = await purifyOne(caseFolder, itemId, jobId, parameters.bundleId, override, { ...request, itemIds }, itemProgress, engines, admit);
      done.push(item);
      return item;
    });
  } catch (error) {
    const cancelled = error instanceof CancelledError || request.signal?.aborted;
    db.finishJob(jobId, cancelled ? 'cancelled' : 'failed', request.examiner, { error: (error as Error).message, summary: summary() });
    throw error;
  } finally {
    await engines.dispose();
  }
  db.finishJob(jobId, 'completed', request.examiner, { summary: summary() });
  return { jobId, items, resumed, doneEarlier, imagesPerMinute: rate() };
}

async function purifyOne(
  caseFolder: CaseFolder,
  itemId: number,
  jobId: number,
  bundleId: string,
  override: { cluster: { id: string }; reason: string } | undefined,
  request: PurifyEvidenceRequest,
  progress: ProgressReporter,
  engines: PurificationEngines,
  admit: (pixels: number) => Promise<() => void>,
): Promise<PurifiedItem> {
  const { db, store } = caseFolder;
  const { bundle, extractor, classifier } = request;
  const started = performance.now();
  const { item, bytes } = await caseFolder.readEvidence(itemId, { examiner: request.examiner });
  // the header says whether the image may join those in flight, before its pixels take memory
  const header = await readImageHeader(bytes, { source: `item ${itemId} (${item.originalName})` });
  await admit(header.width * header.height);
  // float32 as `acsr purify` and the fleet's workers read it (a 24-megapixel photo: 288 MB, not 576)
  const image = await decodeImage(bytes, {
    source: `item ${itemId} (${item.originalName})`,
    channels: bundle.manifest.channels === 3 ? 'rgb' : 'gray',
    precision: 'float32',
  });
  const readMs = performance.now() - started;

  const classifierChannels = classifier?.inputSize.channels === 1 ? 'gray' : 'rgb';
  const scoresBefore = classifier
    ? await classProbabilities(classifier, await decodeImage(bytes, { source: `item ${itemId}`, channels: classifierChannels }))
    : null;
  // a bundle tuned on its validation split brings its own defaults; the investigator's options still win
  const resolved = resolvePurificationOptions(bundle.manifest, request.options ?? {});
  const { options } = resolved;
  const result = await purifyImage({
    image,
    bundle,
    extractor,
    engines,
    progress,
    signal: request.signal,
    options: { ...options, ...(override ? { clusterOverride: override.cluster.id } : {}) },
  });
  const purified: ImageArray = { ...result.purified, channels: result.purified.channels as 1 | 3 };

  const storeStart = performance.now();
  const png = await encodePng(purified);
  const stored = await store.storeBytes(png);
  // Kept with the output so the image view shows exactly what this run computed (see purification-components.ts).
  const components = await storePurificationComponents(store, result.components);
  // Examined exactly as the import examines evidence, so the PDQ distance compares like with like.
  const outputFacts = await examineEvidenceImage(png, { source: `purified output of item ${itemId}` });
  const outputPdq = { hash: outputFacts.pdqHash, quality: outputFacts.pdqQuality };
  const storeMs = performance.now() - storeStart;
  const scoresAfter = classifier
    ? await classProbabilities(classifier, await decodeImage(png, { source: 'purified output', channels: classifierChannels }))
    : null;
  const evasion = request.evasion ? await evasionOfRun(request.evasion, image, result, options) : null;

  const clusterIds = bundle.clusters.map((cluster) => cluster.id);
  const nearestIndex = clusterIds.indexOf(result.nearestCluster.id);
  const usedIndex = clusterIds.indexOf(result.cluster.id);
  const filterVerdicts =
    classifier && scoresBefore && scoresAfter ? verdictPair(classifier, { before: scoresBefore, after: scoresAfter }, request.examiner) : [];
  const { run, verdicts } = db.recordPurificationWithVerdicts(
    {
      itemId,
      jobId,
      bundleId,
      bundleManifestSha256: bundle.manifestSha256,
      parameters: {
        ...recordedPurificationSettings(options),
        extractor: { id: extractor.identity.id, weightsSha256: extractor.identity.weightSha256 },
        clusterIds,
        nearestClusterId: result.nearestCluster.id,
        usedClusterId: result.cluster.id,
        cbpdn: { iterations: result.cbpdn.iterations, converged: result.cbpdn.converged, objective: result.cbpdn.objective, tiles: result.cbpdn.tiles.length },
        inputChannels: image.channels,
        inputDecodeNotes: image.notes,
        seedMeaning: "the bundle's training seed; purification itself draws no random numbers",
        ...(resolved.tuning ? { settingsSource: resolved.sources, tuning: resolved.tuning } : {}),
        components,
      },
      seed: bundle.manifest.parameters.seed,
      backend: `extractor: tfjs ${result.backend.extractor}; CBPDN: ${result.backend.cbpdn}`,
      chosenCluster: nearestIndex,
      clusterDistances: result.distances.map((entry) => entry.distance),
      ...(override ? { override: { cluster: usedIndex, examiner: request.examiner, reason: override.reason } } : {}),
      outputSha256: stored.sha256,
      outputStorePath: stored.relativePath,
      outputPdqHash: outputPdq.hash,
      outputPdqQuality: outputPdq.quality,
      pdqDistance: pdqHammingDistance(item.pdqHash, outputPdq.hash),
      timingsMs: { readAndDecode: readMs, ...result.timingsMs, storeAndHash: storeMs, total: performance.now() - started },
      evasion,
      examiner: request.examiner,
    },
    filterVerdicts,
  );

  const warnings = result.cbpdn.converged
    ? []
    : [`item ${itemId}: CBPDN stopped at the iteration cap (${result.cbpdn.iterations}) before reaching tolerance ${options.tolerance}`];
  return { itemId, run, verdicts, warnings };
}

/** The content filter's verdicts on a run's input and output, ready to record with the run. */
export function verdictPair(
  classifier: ImageClassifier,
  scores: Record<'before' | 'after', Record<string, number>>,
  examiner: string,
): Omit<VerdictInput, 'itemId' | 'purificationRunId'>[] {
  return (['before', 'after'] as const).map((stage) => ({
    stage,
    scores: scores[stage],
    examiner,
    modelId: classifier.identity.id,
    modelWeightsSha256: classifier.identity.weightSha256,
  }));
}

/** Class probabilities: softmax of logits, or of log-probabilities (which gives the probabilities back). */
export async function classProbabilities(classifier: ImageClassifier, image: ImageArray): Promise<Record<string, number>> {
  const [row] = await classifier.scores([image]);
  const max = Math.max(...row);
  const exps = Array.from(row, (value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return Object.fromEntries(classifier.classNames.map((name, index) => [name, exps[index] / total]));
}

/** The bundle folder's name: what an investigator calls it. Its identity is the manifest hash. */
function bundleIdOf(bundle: ReferenceBundle): string {
  const parts = bundle.path.replace(/[\\/]+$/, '').split(/[\\/]/);
  return parts.at(-1) || bundle.path;
}
