/** An item's purification runs in the contract's shape: what the image view and its cluster panel show. */
import type { CaseFolder } from '../case/case-folder.ts';
import { storedComponentsOf } from '../case/purification-components.ts';
import type { PurificationRun } from '../case/records.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import type { PurificationRunView } from '../ipc/contract/index.ts';

export function purificationRunViews(opened: CaseFolder, itemId: number): PurificationRunView[] {
  const item = opened.db.getItem(itemId);
  const verdicts = opened.db.verdicts(itemId);
  return opened.db.purificationRuns(itemId).map((run) => {
    const clusterIds = clusterIdsOf(run);
    const before = verdicts.find((verdict) => verdict.purificationRunId === run.id && verdict.stage === 'before');
    const after = verdicts.find((verdict) => verdict.purificationRunId === run.id && verdict.stage === 'after');
    const cbpdn = (run.parameters.cbpdn ?? {}) as { iterations?: number; converged?: boolean };
    return {
      runId: run.id,
      caseJobId: run.jobId,
      createdAt: run.createdAt,
      examiner: run.examiner,
      bundleId: run.bundleId,
      bundleManifestSha256: run.bundleManifestSha256,
      clusters: run.clusterDistances.map((distance, index) => ({ clusterId: clusterIds[index] ?? `cluster ${index}`, distance })),
      chosenClusterId: clusterIds[run.chosenCluster] ?? String(run.chosenCluster),
      usedClusterId: clusterIds[run.override?.cluster ?? run.chosenCluster] ?? String(run.override?.cluster ?? run.chosenCluster),
      override: run.override
        ? { clusterId: clusterIds[run.override.cluster] ?? String(run.override.cluster), examiner: run.override.examiner, reason: run.override.reason }
        : null,
      inputSha256: item.sha256,
      inputPdqHash: item.pdqHash,
      outputSha256: run.outputSha256,
      outputPdqHash: run.outputPdqHash,
      pdqDistance: run.pdqDistance,
      converged: cbpdn.converged ?? false,
      iterations: cbpdn.iterations ?? 0,
      totalMs: run.timingsMs.total ?? 0,
      hasComponents: storedComponentsOf(run.parameters) !== null && run.outputStorePath !== null,
      verdicts:
        before && after ? { modelId: after.modelId, before: before.scores, after: after.scores, topBefore: before.topClass, topAfter: after.topClass } : null,
      evasion: run.evasion
        ? {
            score: run.evasion.score,
            threshold: run.evasion.threshold,
            suspected: run.evasion.suspected,
            falsePositiveTarget: run.evasion.falsePositiveTarget,
            signals: run.evasion.signals,
            classifierId: run.evasion.calibration.classifier.id,
            settingsDiffer: run.evasion.settingsDiffer,
          }
        : null,
    };
  });
}

/** The run, checked to belong to the item the renderer named (ids from the renderer are not trusted to match). */
export function runOfItem(opened: CaseFolder, itemId: number, runId: number): PurificationRun {
  const run = opened.db.purificationRuns(itemId).find((candidate) => candidate.id === runId);
  if (!run) throw new UserInputError(`purification run ${runId} is not a run of item ${itemId}`);
  return run;
}

function clusterIdsOf(run: PurificationRun): string[] {
  const ids = run.parameters.clusterIds;
  return Array.isArray(ids) ? ids.map(String) : [];
}
