/** Wording and number formats shared by the HTML and PDF reports, so both say the same thing. */
import type { CaseReport, ReportCluster, ReportPurificationRun, ReportVerdict } from './report-model.ts';

export function reportTitle(report: CaseReport): string {
  return `Audit report: case ${report.case.number}`;
}

export function verificationHeadline(report: CaseReport): string {
  const v = report.verification;
  if (v.ok) {
    return `Verification passed: audit chain of ${v.auditEntriesChecked} entries intact, ${v.itemsChecked} evidence files and ${v.outputsChecked} purified outputs match their recorded SHA-256.`;
  }
  return `VERIFICATION FAILED (${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}). First broken link: ${v.firstBrokenLink}`;
}

/** Which signed checkpoint anchors the chain, and how much of the chain it does not yet cover. */
export function checkpointLine(v: CaseReport['verification']): string {
  const c = v.latestCheckpoint;
  if (!c) return `none: no examiner has signed this chain yet (${v.auditEntriesChecked} entries unsigned)`;
  const after = v.entriesAfterCheckpoint === 0 ? 'covering every entry checked' : `${v.entriesAfterCheckpoint} later entries not yet signed`;
  return `entry ${c.sequence}, head ${c.headSha256}, signed by ${c.examiner} on ${c.signedAt} with key ${c.keyFingerprint}; ${after}`;
}

export function thumbnailModeText(report: CaseReport): string {
  switch (report.thumbnails) {
    case 'blurred':
      return 'Thumbnails are blurred and greyscale (the default, for the wellbeing of readers).';
    case 'revealed':
      return 'Thumbnails are shown UNBLURRED at the examiner\'s request.';
    default:
      return 'No thumbnails.';
  }
}

export function clusterText(cluster: ReportCluster): string {
  return cluster.id === null ? `#${cluster.index}` : `${cluster.id} (#${cluster.index})`;
}

export function overrideText(run: ReportPurificationRun): string {
  if (!run.override) return 'no (cluster chosen by distance)';
  return `yes, by ${run.override.examiner}: ${run.override.reason}`;
}

/** Scores sorted high to low, as probabilities with three decimals. */
export function scoresText(verdict: ReportVerdict): string {
  return Object.entries(verdict.scores)
    .sort((a, b) => b[1] - a[1])
    .map(([name, score]) => `${name} ${score.toFixed(3)}`)
    .join(', ');
}

export function pdqDistanceText(run: ReportPurificationRun): string {
  return `${run.pdqDistance} of 256 bits (${run.pdqSamePicture ? 'still matches at' : 'beyond'} the threshold of 31)`;
}

export function integrityText(ok: boolean | null, problem: string | null = null): string {
  if (ok === null) return 'not stored';
  return ok ? 'matches recorded SHA-256' : `FAILED${problem ? `: ${problem}` : ''}`;
}

export function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB (${bytes} bytes)`;
}

/** Parameters as key = value lines; nested values in compact JSON. */
export function parameterLines(parameters: Record<string, unknown>, skip: readonly string[] = []): string[] {
  return Object.entries(parameters)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${key} = ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

export function timingsText(timings: Record<string, number>): string {
  return Object.entries(timings)
    .map(([stage, ms]) => `${stage} ${ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`}`)
    .join(', ');
}
