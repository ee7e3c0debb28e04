/**
 * The workstation's side of a returned task: nothing a worker says is believed until it is
 * checked. The record must answer the task that was sent (key, item, bundle, parameters), name
 * the bundle's own clusters and extractor, and every file it names must be in the shared results
 * area with exactly that SHA-256 (the purified output must also decode to the item's size).
 * Only then are the bytes copied into the case's own store and the run recorded through the
 * case's write path with its audit entry. A refusal is written to the audit log and raised.
 * Workers run no content filter: with one chosen, the workstation scores the evidence and the
 * accepted output itself and records both verdicts with the run, as a local run does.
 */
import type { ImageArray } from '../acsr/array/image-array.ts';
import type { EvasionScorer } from '../acsr/evasion/evasion-scorer.ts';
import type { ImageClassifier } from '../acsr/models/model-contracts.ts';
import type { ReferenceBundle } from '../acsr/references/bundle-reader.ts';
import { recordedPurificationSettings } from '../acsr/purification/purification-options.ts';
import type { ResolvedPurification } from '../acsr/tuning/purification-defaults.ts';
import { canonicalJson } from '../case/canonical-json.ts';
import type { CaseFolder } from '../case/case-folder.ts';
import { examineEvidenceImage, type ExaminedEvidence } from '../case/evidence-image.ts';
import { COMPONENT_NAMES, type StoredComponents } from '../case/purification-components.ts';
import { evasionOfRun } from '../case/purification-evasion.ts';
import { classProbabilities, verdictPair } from '../case/purify-evidence.ts';
import type { EvasionRecord, EvidenceItem, PurificationRun } from '../case/records.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { decodeImage } from '../io/image.ts';
import { pdqHammingDistance } from '../pdq/pdq.ts';
import { taskResultSchema, type PurifyTask, type TaskResult } from './fleet-task.ts';
import type { SharedArea } from './shared-area.ts';

/** The audit action of a worker output that failed the workstation's checks. */
export const REFUSED_OUTPUT_ACTION = 'worker-output-refused';

export class WorkerOutputRefusedError extends UserInputError {
  override name = 'WorkerOutputRefusedError';
}

export interface AcceptContext {
  caseFolder: CaseFolder;
  shared: SharedArea;
  bundle: ReferenceBundle;
  bundleId: string;
  resolved: ResolvedPurification;
  override: { reason: string } | null;
  jobId: number;
  examiner: string;
  queueAddress: string;
  /** The bundle's evasion score, when it carries a calibration: computed here, as a local run computes it. */
  evasion: EvasionScorer | null;
  /** The content filter whose verdicts before and after are recorded with each run, if one was chosen. */
  classifier: ImageClassifier | null;
}

/** The run already recorded for this task in the case, if any: the same task is never recorded twice. */
export function runOfTask(caseFolder: CaseFolder, itemId: number, taskKey: string): PurificationRun | undefined {
  return caseFolder.db.purificationRuns(itemId).find((run) => (run.parameters.fleet as { taskKey?: unknown } | undefined)?.taskKey === taskKey);
}

export async function acceptTaskResult(
  context: AcceptContext,
  item: EvidenceItem,
  task: PurifyTask,
  returned: unknown,
  attempts: number,
): Promise<PurificationRun> {
  const earlier = runOfTask(context.caseFolder, item.id, task.key);
  if (earlier) return earlier;
  const { result, output, components, facts } = await checkTaskResult(context, item, task, returned);
  const { caseFolder, bundle, resolved, examiner } = context;
  const { store, db } = caseFolder;

  const stored = await store.storeBytes(output);
  const parts = {} as StoredComponents['parts'];
  for (const name of COMPONENT_NAMES) {
    const part = await store.storeBytes(components[name]);
    parts[name] = { sha256: part.sha256, storePath: part.relativePath };
  }
  const { options } = resolved;
  const usedIndex = result.clusterIds.indexOf(result.usedClusterId);
  // the evidence is read once (through the case's verifying reader) for the score and the verdicts
  const evidence = context.evasion || context.classifier ? (await context.caseFolder.readEvidence(item.id, { examiner })).bytes : null;
  const evasion = context.evasion && evidence ? await evasionOfReturnedRun(context, context.evasion, item, evidence, result, output) : null;
  // scored before anything is recorded, so the run and its verdicts are written in one transaction
  const verdictScores = context.classifier && evidence ? await filterScores(context.classifier, item, evidence, output) : null;
  const verdicts = context.classifier && verdictScores ? verdictPair(context.classifier, verdictScores, examiner) : [];
  const { run } = db.recordPurificationWithVerdicts(
    {
      itemId: item.id,
      jobId: context.jobId,
      bundleId: context.bundleId,
      bundleManifestSha256: bundle.manifestSha256,
      parameters: {
        ...recordedPurificationSettings(options),
        extractor: result.extractor,
        clusterIds: result.clusterIds,
        nearestClusterId: result.nearestClusterId,
        usedClusterId: result.usedClusterId,
        cbpdn: result.cbpdn,
        inputChannels: result.inputChannels,
        inputDecodeNotes: result.inputDecodeNotes,
        seedMeaning: "the bundle's training seed; purification itself draws no random numbers",
        ...(resolved.tuning ? { settingsSource: resolved.sources, tuning: resolved.tuning } : {}),
        components: { encoding: result.componentsEncoding, parts },
        fleet: { taskKey: task.key, worker: result.worker, attempts, queue: context.queueAddress },
      },
      seed: bundle.manifest.parameters.seed,
      backend: result.backend,
      chosenCluster: result.clusterIds.indexOf(result.nearestClusterId),
      clusterDistances: result.distances,
      ...(context.override ? { override: { cluster: usedIndex, examiner, reason: context.override.reason } } : {}),
      outputSha256: stored.sha256,
      outputStorePath: stored.relativePath,
      outputPdqHash: facts.pdqHash,
      outputPdqQuality: facts.pdqQuality,
      pdqDistance: pdqHammingDistance(item.pdqHash, facts.pdqHash),
      timingsMs: result.timingsMs,
      evasion,
      examiner,
    },
    verdicts,
  );
  return run;
}

/** The content filter's class probabilities on the evidence and on the returned output, decoded as a local run decodes them. */
async function filterScores(
  classifier: ImageClassifier,
  item: EvidenceItem,
  bytes: Buffer,
  output: Buffer,
): Promise<Record<'before' | 'after', Record<string, number>>> {
  const channels = classifier.inputSize.channels === 1 ? 'gray' : 'rgb';
  return {
    before: await classProbabilities(classifier, await decodeImage(bytes, { source: `item ${item.id}`, channels })),
    after: await classProbabilities(classifier, await decodeImage(output, { source: 'purified output', channels })),
  };
}

/**
 * The evasion score of a worker's run, computed on the workstation (which holds the calibrated
 * classifier) from the evidence and the returned output. The output is the 8-bit PNG, not the
 * worker's floating-point image, so the score can differ from a local run's in the last digits.
 */
async function evasionOfReturnedRun(
  context: AcceptContext,
  scorer: EvasionScorer,
  item: EvidenceItem,
  bytes: Buffer,
  result: TaskResult,
  output: Buffer,
): Promise<EvasionRecord> {
  const channels = context.bundle.manifest.channels === 3 ? 'rgb' : 'gray';
  const image = await decodeImage(bytes, { source: `item ${item.id} (${item.originalName})`, channels });
  // float64 is what precision 'float64' decodes to; the decoder's type does not say so
  const purified = (await decodeImage(output, { source: `purified output of item ${item.id}`, channels, precision: 'float64' })) as ImageArray<Float64Array>;
  const classNameOf = new Map(context.bundle.clusters.map((cluster) => [cluster.id, cluster.className]));
  const distances = result.clusterIds.map((id, index) => ({ id, className: classNameOf.get(id) ?? '', distance: result.distances[index] }));
  const nearestCluster = { id: result.nearestClusterId, className: classNameOf.get(result.nearestClusterId) ?? '' };
  return evasionOfRun(scorer, image, { purified, nearestCluster, distances }, context.resolved.options);
}

interface CheckedResult {
  result: TaskResult;
  output: Buffer;
  components: Record<(typeof COMPONENT_NAMES)[number], Buffer>;
  facts: ExaminedEvidence;
}

async function checkTaskResult(context: AcceptContext, item: EvidenceItem, task: PurifyTask, returned: unknown): Promise<CheckedResult> {
  const refuse = (reason: string, worker = 'unknown'): never => {
    context.caseFolder.db.appendAudit({
      examiner: context.examiner,
      action: REFUSED_OUTPUT_ACTION,
      subject: `item:${item.id}`,
      parameters: { taskKey: task.key, worker, queue: context.queueAddress, reason },
    });
    throw new WorkerOutputRefusedError(`item ${item.id}: the worker's output was refused: ${reason}`);
  };
  const parsed = taskResultSchema.safeParse(returned);
  if (!parsed.success)
    return refuse(`the returned record is malformed (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const result = parsed.data;
  const worker = result.worker;
  if (result.key !== task.key) refuse(`it answers task ${result.key}, not ${task.key}`, worker);
  if (result.itemSha256 !== item.sha256) refuse(`it purified ${result.itemSha256}, not the item's ${item.sha256}`, worker);
  if (result.bundleManifestSha256 !== context.bundle.manifestSha256)
    refuse(`it used bundle ${result.bundleManifestSha256}, not ${context.bundle.manifestSha256}`, worker);
  if (canonicalJson(result.parameters) !== canonicalJson(task.parameters)) refuse("its parameters differ from the task's", worker);
  if (result.extractor.id !== context.bundle.manifest.extractor.id)
    refuse(`its extractor ${result.extractor.id} is not the bundle's ${context.bundle.manifest.extractor.id}`, worker);
  const clusterIds = context.bundle.clusters.map((cluster) => cluster.id);
  if (canonicalJson(result.clusterIds) !== canonicalJson(clusterIds)) refuse("its clusters are not the bundle's", worker);
  if (result.distances.length !== clusterIds.length || !clusterIds.includes(result.nearestClusterId))
    refuse('its cluster distances do not fit the bundle', worker);
  const expectedUsed = task.parameters.clusterOverride ?? result.nearestClusterId;
  if (result.usedClusterId !== expectedUsed) refuse(`it used cluster ${result.usedClusterId}, not ${expectedUsed}`, worker);

  const readChecked = async (what: string, sha256: string): Promise<Buffer> => {
    const read = await context.shared.results
      .read(sha256)
      .catch((error: NodeJS.ErrnoException) =>
        refuse(`${what} ${sha256} ${error.code === 'ENOENT' ? 'is not in the shared results area' : `cannot be read (${error.message})`}`, worker),
      );
    if (read.actualSha256 !== sha256) refuse(`${what} has SHA-256 ${read.actualSha256}, the worker reported ${sha256}`, worker);
    return read.bytes;
  };
  const output = await readChecked('the purified output', result.output.sha256);
  // Examined exactly as a local run examines its output, so the PDQ distance compares like with
  // like; the same full decode proves the output decodes (one decode instead of two per item).
  const facts = await examineEvidenceImage(output, { source: `purified output of item ${item.id}` }).catch((error: Error) =>
    refuse(`the purified output does not decode (${error.message})`, worker),
  );
  if (facts.mediaType !== 'image/png' || facts.width !== item.width || facts.height !== item.height) {
    const format = facts.mediaType.replace(/^image\//, '');
    refuse(`the purified output is a ${facts.width}x${facts.height} ${format}, not a ${item.width}x${item.height} PNG`, worker);
  }
  const components = {} as CheckedResult['components'];
  for (const name of COMPONENT_NAMES) components[name] = await readChecked(`part ${name}`, result.components[name].sha256);
  return { result, output, components, facts };
}
