/**
 * What each audit entry is about, in the words a reader of the report knows: the evidence file's
 * name, the examiner's name, the kind of job and when it started, the report's id and format. The
 * chain stores subjects as database keys ('item:13', 'job:1'); the JSON report keeps those exactly
 * (they are hashed) and adds these names beside them.
 */
import type { CaseDatabase } from '../case-database.ts';

const JOB_KIND_WORDS: Record<string, string> = {
  import: 'Import',
  purify: 'Purification',
  report: 'Report',
  verify: 'Verification',
  train: 'Training',
  eval: 'Evaluation',
  classify: 'Filter scoring',
};

const FORMAT_WORDS: Record<string, string> = { html: 'HTML', pdf: 'PDF', json: 'JSON' };

/** Subject key -> human name, for every subject among `rows`. */
export function auditSubjectNames(db: CaseDatabase, subjects: Iterable<string>): Record<string, string> {
  const items = new Map(db.listItems().map((item) => [item.id, item.originalName]));
  const jobs = new Map(db.jobs().map((job) => [job.id, job]));
  const examiners = new Map(db.stores.examiners.storedRows().map((row) => [row.id, row.name]));
  const reports = new Map(db.reports().map((report) => [report.reportUid, report]));
  const names: Record<string, string> = {};
  for (const subject of subjects) {
    if (names[subject] !== undefined) continue;
    names[subject] = subjectName(subject, { items, jobs, examiners, reports });
  }
  return names;
}

interface Known {
  items: Map<number, string>;
  jobs: Map<number, { kind: string; createdAt: string }>;
  examiners: Map<number, string>;
  reports: Map<string, { format: string }>;
}

function subjectName(subject: string, known: Known): string {
  const colon = subject.indexOf(':');
  const kind = colon < 0 ? subject : subject.slice(0, colon);
  const key = colon < 0 ? '' : subject.slice(colon + 1);
  const id = /^\d+$/.test(key) ? Number(key) : null;
  switch (kind) {
    case 'item':
      return id !== null && known.items.has(id) ? `${known.items.get(id)} (item ${id})` : `evidence item ${key}`;
    case 'job': {
      const job = id === null ? undefined : known.jobs.get(id);
      return job ? `${JOB_KIND_WORDS[job.kind] ?? job.kind} job started ${readableTime(job.createdAt)}` : `job ${key}`;
    }
    case 'examiner':
      return id !== null && known.examiners.has(id) ? `examiner ${known.examiners.get(id)}` : `examiner number ${key}`;
    case 'case':
      return `case ${key}`;
    case 'report': {
      const { reportId, format } = splitReportUid(key, known.reports.get(key)?.format);
      return format ? `${FORMAT_WORDS[format] ?? format} file of report ${reportId}` : `report ${reportId}`;
    }
    case 'file':
      return `file ${key}`;
    default:
      return colon < 0 ? subject : `${kind} ${key}`;
  }
}

/**
 * Report rows are keyed '<report id>.<format>': one export has one report id and one row per
 * file. Rows written before exports shared an id are keyed by the id alone.
 */
export function splitReportUid(uid: string, recordedFormat?: string): { reportId: string; format: string | null } {
  const match = /^(.*)\.(html|pdf|json)$/.exec(uid);
  return match ? { reportId: match[1], format: match[2] } : { reportId: uid, format: recordedFormat ?? null };
}

export function reportFileUid(reportId: string, format: string): string {
  return `${reportId}.${format}`;
}

/** '2026-12-01T22:32:59.015Z' -> '2026-12-01 22:32:59 UTC'. */
export function readableTime(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}
