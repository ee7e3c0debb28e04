/** Wording and number formats shared by the HTML and PDF reports, so both say the same thing. */
import type { ExifSummary } from './exif-summary.ts';
import { parameterLabel } from './parameter-rows.ts';
import type { CaseReport, ReportAuditEntry, ReportCluster, ReportPurificationRun, ReportVerdict } from './report-model.ts';

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
      return "Thumbnails are shown UNBLURRED at the examiner's request.";
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

/** The files one export wrote, e.g. 'report-X.html (HTML), report-X.pdf (PDF)'. */
export function exportFilesText(report: CaseReport): string {
  return report.files.map((file) => `${file.name} (${file.format.toUpperCase()})`).join(', ');
}

/** What an audit entry is about, by the name a reader knows (file, examiner, job kind and time). */
export function auditSubjectText(report: CaseReport, entry: ReportAuditEntry): string {
  return report.audit.subjectNames[entry.subject] ?? entry.subject.replace(':', ' ');
}

/** EXIF as key/value rows; coordinates only when the report was asked to print them. */
export function exifRows(exif: ExifSummary | null): [string, string][] {
  if (!exif) return [['Camera metadata (EXIF)', 'none in the file']];
  const camera = [
    exif.cameraMake,
    exif.cameraModel && exif.cameraMake && exif.cameraModel.startsWith(exif.cameraMake)
      ? exif.cameraModel.slice(exif.cameraMake.length).trim()
      : exif.cameraModel,
  ]
    .filter((part): part is string => Boolean(part))
    .join(' ');
  const position = !exif.gpsPresent
    ? 'no'
    : exif.gpsCoordinates
      ? `yes: latitude ${exif.gpsCoordinates.latitude}, longitude ${exif.gpsCoordinates.longitude}`
      : 'yes (coordinates not printed; ask for them when making the report)';
  return [
    ['Camera', camera || 'not recorded'],
    ['Taken (camera clock)', exif.capturedAt ?? 'not recorded'],
    ...(exif.modifiedAt || exif.software ? [['Last saved by software', [exif.software, exif.modifiedAt].filter(Boolean).join(', ')] as [string, string]] : []),
    ['Position recorded (GPS)', position],
  ];
}

export function timingsText(timings: Record<string, number>): string {
  return Object.entries(timings)
    .map(([stage, ms]) => `${parameterLabel(stage).toLowerCase()} ${ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`}`)
    .join(', ');
}
