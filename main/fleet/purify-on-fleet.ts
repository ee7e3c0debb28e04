/**
 * `acsr case purify --queue`: the case's items purified by the worker fleet, with the workstation
 * as the only writer of the case. It publishes the bundle and the evidence (read through the
 * case's verifying reader) to the shared area, enqueues one task per item, and records each
 * returned output once it has passed every check (accept-task-result.ts). Items whose task is
 * already recorded in the case are not sent again; a cancelled run leaves its tasks on the
 * queue, and running the same command again attaches to them. A run whose workstation stopped
 * (its case job left interrupted) can also be carried on under its own case job: the same
 * tasks, so the same queue jobs, with the settings the job recorded. With a content filter chosen,
 * its verdicts on the evidence and on each accepted output are computed and recorded here.
 */
import { resolve } from 'node:path';
import { openEvasionScorer, type EvasionScorer } from '../acsr/evasion/evasion-scorer.ts';
import { loadImageClassifier } from '../acsr/models/latent-extractor.ts';
import type { ImageClassifier } from '../acsr/models/model-contracts.ts';
import { findCluster, loadReferenceBundle } from '../acsr/references/bundle-reader.ts';
import { recordedPurificationSettings } from '../acsr/purification/purification-options.ts';
import { resolvePurificationOptions } from '../acsr/tuning/purification-defaults.ts';
import type { CaseFolder } from '../case/case-folder.ts';
import { PURIFY_JOB_KIND, recordedPurifyJobParameters, type PurifyJobParameters } from '../case/purify-evidence.ts';
import type { EvidenceItem, PurificationRun } from '../case/records.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { CancelledError, silentProgress, type TaskControl } from '../progress/progress.ts';
import { acceptTaskResult, runOfTask, WorkerOutputRefusedError, type AcceptContext } from './accept-task-result.ts';
import { FleetDispatch } from './fleet-dispatch.ts';
import { makePurifyTask, type PurifyTask, type TaskParameters } from './fleet-task.ts';
import { parseQueueAddress } from './queue-address.ts';
import { SharedArea } from './shared-area.ts';

/** New work: these items with this bundle and these settings. */
export interface FleetPurifyWork {
  itemIds: readonly number[] | 'all';
  bundlePath: string;
  override: { cluster: string; reason: string } | null;
  options: { maxIterations?: number };
  /** The content filter whose verdicts before and after are recorded (registry id), or none. */
  classifierId: string | null;
  /** A resumed run's filter weights, which must still be the same. */
  classifierWeightsSha256?: string;
}

export type FleetPurifyRequest = TaskControl & {
  examiner: string;
  queueAddress: string;
  sharedDir: string;
} & (FleetPurifyWork | { /** Carry on with this stopped run on workers, with its recorded settings. */ resumeCaseJobId: number });

/** The recorded settings of a stopped purify job that ran on workers, as new work. */
export function stoppedFleetRun(caseFolder: CaseFolder, caseJobId: number): FleetPurifyWork {
  const job = caseFolder.db.jobs({ kind: PURIFY_JOB_KIND, states: ['interrupted', 'cancelled', 'failed'] }).find((candidate) => candidate.id === caseJobId);
  if (!job) throw new UserInputError(`purify job ${caseJobId} is not a stopped purify job of this case`);
  if (typeof (job.parameters as { queue?: unknown }).queue !== 'string') throw new UserInputError(`purify job ${caseJobId} did not run on workers`);
  const recorded = recordedPurifyJobParameters(caseJobId, job.parameters);
  return {
    itemIds: recorded.itemIds,
    bundlePath: recorded.bundlePath,
    override: recorded.clusterOverride,
    options: recorded.options.maxIterations !== undefined ? { maxIterations: recorded.options.maxIterations } : {},
    classifierId: recorded.classifier?.id ?? null,
    ...(recorded.classifier ? { classifierWeightsSha256: recorded.classifier.weightsSha256 } : {}),
  };
}

export interface FleetPurifySummary {
  /** The case job of this run; null when every item was recorded before. */
  jobId: number | null;
  bundlePath: string;
  bundleManifestSha256: string;
  items: { itemId: number; run: PurificationRun }[];
  /** Items whose task was recorded in the case by an earlier run. */
  doneEarlier: number[];
  /** Outputs refused by the checks (audited), and tasks the workers failed. */
  refused: { itemId: number; reason: string }[];
  failed: { itemId: number; reason: string }[];
  imagesPerMinute: number;
}

export async function purifyOnFleet(caseFolder: CaseFolder, request: FleetPurifyRequest): Promise<FleetPurifySummary> {
  const { db } = caseFolder;
  const progress = request.progress ?? silentProgress;
  const connection = parseQueueAddress(request.queueAddress);
  const resuming = 'resumeCaseJobId' in request ? request.resumeCaseJobId : null;
  const work = resuming === null ? (request as FleetPurifyWork) : stoppedFleetRun(caseFolder, resuming);
  const bundle = await loadReferenceBundle(work.bundlePath);
  const overrideCluster = work.override ? findCluster(bundle, work.override.cluster) : null;
  const reason = work.override?.reason.trim() ?? '';
  if (work.override && reason.length === 0) throw new UserInputError('a cluster override needs a reason (--reason)');
  const items: EvidenceItem[] = work.itemIds === 'all' ? [...db.items()] : work.itemIds.map((itemId) => db.getItem(itemId));
  if (items.length === 0) throw new UserInputError('no evidence items to purify');

  const resolved = resolvePurificationOptions(bundle.manifest, work.options);
  const { options } = resolved;
  const parameters: TaskParameters = {
    ...recordedPurificationSettings(options),
    clusterOverride: overrideCluster?.id ?? null,
  };
  const itemOfTask = new Map<string, EvidenceItem>();
  const tasks: PurifyTask[] = [];
  const doneEarlier: number[] = [];
  for (const item of items) {
    const task = makePurifyTask(item.sha256, bundle.manifestSha256, parameters);
    if (runOfTask(caseFolder, item.id, task.key)) doneEarlier.push(item.id);
    else if (!itemOfTask.has(task.key)) {
      itemOfTask.set(task.key, item);
      tasks.push(task);
    }
  }
  const summary: FleetPurifySummary = {
    jobId: null,
    bundlePath: resolve(bundle.path),
    bundleManifestSha256: bundle.manifestSha256,
    items: [],
    doneEarlier,
    refused: [],
    failed: [],
    imagesPerMinute: 0,
  };
  if (tasks.length === 0) {
    // a stopped run whose every task was recorded before it stopped: nothing left but to close it
    if (resuming !== null) {
      db.resumeJob(resuming, request.examiner);
      db.finishJob(resuming, 'completed', request.examiner, { summary: jobSummary(summary) });
      summary.jobId = resuming;
    }
    return summary;
  }

  const bundleId =
    resolve(bundle.path)
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .at(-1) || bundle.path;
  // a bundle calibrated by `acsr calibrate-evasion` scores every returned item, as a local run does
  const evasion: EvasionScorer | null = await openEvasionScorer(bundle.manifest, bundle.path);
  let classifier: ImageClassifier | null = null;
  try {
    classifier = work.classifierId === null ? null : await loadImageClassifier(work.classifierId);
    if (classifier && work.classifierWeightsSha256 !== undefined && classifier.identity.weightSha256 !== work.classifierWeightsSha256) {
      throw new UserInputError(`purify job ${resuming} used other weights of the content filter ${work.classifierId}; its verdicts could not be compared`);
    }
  } catch (error) {
    classifier?.dispose();
    evasion?.dispose();
    throw error;
  }
  const jobParameters: PurifyJobParameters & { queue: string } = {
    itemIds: tasks.map((task) => itemOfTask.get(task.key)!.id),
    bundleId,
    bundlePath: resolve(bundle.path),
    bundleManifestSha256: bundle.manifestSha256,
    clusterOverride: overrideCluster ? { cluster: overrideCluster.id, reason } : null,
    classifier: classifier ? { id: classifier.identity.id, weightsSha256: classifier.identity.weightSha256 } : null,
    options: work.options.maxIterations !== undefined ? { maxIterations: work.options.maxIterations } : {},
    queue: request.queueAddress,
  };
  const shared = new SharedArea(request.sharedDir);
  const dispatch = new FleetDispatch(connection);
  const release = () => {
    evasion?.dispose();
    classifier?.dispose();
  };
  try {
    await dispatch.connect();
  } catch (error) {
    release();
    await dispatch.close();
    throw error;
  }
  const job =
    resuming === null
      ? db.startJob({ kind: PURIFY_JOB_KIND, examiner: request.examiner, total: tasks.length, parameters: { ...jobParameters } })
      : db.resumeJob(resuming, request.examiner);
  summary.jobId = job.id;
  const started = performance.now();
  try {
    progress.report({ stage: 'publishing', fraction: 0, message: 'bundle and evidence to the shared area' });
    await shared.publishBundle(bundle.path, bundle.manifestSha256, Object.keys(bundle.manifest.files));
    // each task goes on the queue as soon as its evidence is published: the workers start on the
    // first items while the rest are still being copied (minutes, for a batch of thousands)
    for (const task of tasks) {
      if (request.signal?.aborted) throw new CancelledError();
      const { bytes } = await caseFolder.readEvidence(itemOfTask.get(task.key)!.id, { examiner: request.examiner });
      await shared.evidence.put(bytes);
      await dispatch.submit([task]);
    }
    const context: AcceptContext = {
      caseFolder,
      shared,
      bundle,
      bundleId,
      resolved,
      override: overrideCluster ? { reason } : null,
      jobId: job.id,
      examiner: request.examiner,
      queueAddress: request.queueAddress,
      evasion,
      classifier,
    };
    const onWorkers = progress.sub(0.02, 1);
    const outcomes = dispatch.outcomes(tasks, {
      ...(request.signal ? { signal: request.signal } : {}),
      onProgress: (fraction, running) =>
        onWorkers.report({
          stage: 'on workers',
          fraction,
          message: `${summary.items.length + summary.refused.length + summary.failed.length} of ${tasks.length} returned, ${running} running`,
        }),
    });
    for await (const outcome of outcomes) {
      const item = itemOfTask.get(outcome.key)!;
      if (outcome.state === 'failed') {
        summary.failed.push({ itemId: item.id, reason: outcome.reason });
        continue;
      }
      const task = tasks.find((candidate) => candidate.key === outcome.key)!;
      try {
        summary.items.push({ itemId: item.id, run: await acceptTaskResult(context, item, task, outcome.returned, outcome.attempts) });
      } catch (error) {
        if (!(error instanceof WorkerOutputRefusedError)) throw error;
        summary.refused.push({ itemId: item.id, reason: error.message });
        // the next run of the same task computes it afresh instead of returning the refused output again
        await dispatch.discard(outcome.key);
      }
    }
  } catch (error) {
    const cancelled = error instanceof CancelledError || request.signal?.aborted;
    db.finishJob(job.id, cancelled ? 'cancelled' : 'failed', request.examiner, { error: (error as Error).message, summary: jobSummary(summary) });
    throw error;
  } finally {
    release();
    await dispatch.close();
  }
  summary.imagesPerMinute = summary.items.length / Math.max(1e-9, (performance.now() - started) / 60_000);
  const problems = [...summary.refused, ...summary.failed].map((entry) => entry.reason);
  db.finishJob(job.id, problems.length === 0 ? 'completed' : 'failed', request.examiner, {
    ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    summary: jobSummary(summary),
  });
  return summary;
}

function jobSummary(summary: FleetPurifySummary): Record<string, unknown> {
  return {
    purified: summary.items.map((item) => item.itemId),
    runIds: summary.items.map((item) => item.run.id),
    refused: summary.refused.map((entry) => entry.itemId),
    failed: summary.failed.map((entry) => entry.itemId),
  };
}
