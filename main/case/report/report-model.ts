/**
 * What an audit report says, independent of how it is printed. The JSON report is this object
 * as it is; the HTML and PDF reports print the same object (plus thumbnails, which are a matter
 * of presentation and are not part of the record). Anything a reviewer needs to re-check a claim
 * (hashes, ids, parameters, times) is here in full, never shortened.
 */
import type { AuditEntry } from '../audit-chain.ts';
import type { CaseRecord, EvasionRecord } from '../records.ts';
import type { CategoryCode } from '../tag-categories.ts';
import type { ExifSummary } from './exif-summary.ts';

export const REPORT_FORMAT = 'acsr-case-report';
/** 2: one report id per export (shared by its files), scope, EXIF, audit subject names. 3: hash list matches, near-duplicate groups. */
export const REPORT_FORMAT_VERSION = 3;

export interface CaseReport {
  format: typeof REPORT_FORMAT;
  formatVersion: typeof REPORT_FORMAT_VERSION;
  /**
   * UUID printed in the report. One export has one id, whatever number of formats it was written
   * in; each file is recorded with its SHA-256 in the case (reports table) as '<id>.<format>'.
   */
  reportId: string;
  /** 'json', 'html' or 'pdf': the file this report was written as. */
  renderedAs: string;
  /** Every file of this export (this one included), by format and file name. */
  files: { format: string; name: string }[];
  /** Which evidence items the report covers. */
  scope: ReportScope;
  /** UTC, ISO-8601. */
  generatedAt: string;
  /** How the HTML and PDF reports show pictures; the JSON report holds none. */
  thumbnails: ThumbnailMode;
  examiner: string;
  case: Omit<CaseRecord, 'id'> & {
    folder: string;
    notes: ReportNote[];
  };
  tool: { name: string; version: string; gitCommit: string; gitWorkingTreeModified: boolean | null };
  environment: { os: string; node: string; electron: string; sqlite: string; host: string };
  verification: ReportVerification;
  summary: {
    /** Items in this report (its scope). */
    items: number;
    /** Items in the whole case. */
    itemsInCase: number;
    itemsFailingIntegrity: number;
    purificationRuns: number;
    overriddenRuns: number;
    verdicts: number;
  };
  /** Every bundle and model named by a run or verdict in this report, with its hash. */
  bundles: { id: string; manifestSha256: string; runs: number }[];
  models: { id: string; weightsSha256: string; verdicts: number }[];
  items: ReportItem[];
  /** Known-content hash list matches kept in the case, of the items in this report. */
  hashLists: { matchedItems: number; matches: ReportHashMatch[] };
  /** Items of this report that are near-duplicates of each other (PDQ within 31 bits, any rotation or mirror). */
  nearDuplicateGroups: { representative: number; members: number[] }[];
  audit: {
    totalEntries: number;
    headSha256: string | null;
    /** The entries printed below: all of them, or the latest `excerptLimit`. */
    excerptPolicy: string;
    excerpt: ReportAuditEntry[];
    /** Each subject of the printed entries ('item:13', 'job:1') named as a reader knows it. */
    subjectNames: Record<string, string>;
  };
  limitations: string[];
  /** How this report itself can be checked (its hash cannot be inside it). */
  selfVerification: string;
}

/** The whole case, chosen items, or the items of one category; `description` says which in words. */
export type ReportScope =
  | { kind: 'case'; description: string }
  | { kind: 'items'; itemIds: number[]; description: string }
  | { kind: 'category'; category: CategoryCode; description: string };

/** 'blurred': small, blurred and greyscale, for the wellbeing of whoever reads the report. */
export type ThumbnailMode = 'blurred' | 'revealed' | 'none';

export interface ReportVerification {
  ok: boolean;
  /** When the check ran, as part of making this report. */
  checkedAt: string;
  /** Sequence number of the audit entry that records the check. */
  auditSequence: number | null;
  auditEntriesChecked: number;
  auditHeadSha256: string | null;
  itemsChecked: number;
  outputsChecked: number;
  reportsChecked: number;
  /** The latest checkpoint whose signature and head held, signed before this report. */
  latestCheckpoint: { sequence: number; headSha256: string; examiner: string; signedAt: string; keyFingerprint: string } | null;
  /** Audit entries after that checkpoint, which no signature covered yet when the check ran. */
  entriesAfterCheckpoint: number;
  firstBrokenLink: string | null;
  problems: { kind: string; where: string; reason: string }[];
}

export interface ReportNote {
  id: number;
  text: string;
  examiner: string;
  createdAt: string;
}

export interface ReportItem {
  id: number;
  originalName: string;
  originalPath: string;
  storePath: string;
  mediaType: string;
  width: number;
  height: number;
  sizeBytes: number;
  importedAt: string;
  importedBy: string;
  decodeNotes: string[];
  /** Camera, capture time and whether a position is recorded; null when the file has no EXIF. */
  exif: ExifSummary | null;
  sha256: string;
  md5: string;
  pdq: { hash: string; quality: number; reliable: boolean };
  /** The evidence file re-hashed while this report was made. */
  integrity: { ok: boolean; checkedAt: string; problem: string | null };
  category: { code: CategoryCode; label: string } | null;
  /** `undone` only on a tag an undo took back (absent otherwise, so reports without undos keep their shape). */
  tags: { kind: 'category' | 'user'; value: string; comment: string | null; examiner: string; createdAt: string; undone?: true }[];
  notes: ReportNote[];
  purificationRuns: ReportPurificationRun[];
  /** Verdicts not tied to any purification run (e.g. a classification of the evidence alone). */
  otherVerdicts: ReportVerdict[];
}

export interface ReportHashMatch {
  itemId: number;
  listName: string;
  /** The list's version: the SHA-256 of the file it was imported from. */
  listSha256: string;
  line: number;
  kind: 'pdq' | 'md5' | 'sha1' | 'sha256';
  /** 0 for an exact hash; PDQ bits apart. */
  distance: number;
  /** For PDQ: the item's rotation or mirror that matched. */
  variant: string | null;
  category: string | null;
  source: string | null;
  threshold: number;
  foundAt: string;
  examiner: string;
}

export interface ReportPurificationRun {
  id: number;
  createdAt: string;
  examiner: string;
  jobId: number | null;
  bundle: { id: string; manifestSha256: string };
  backend: string;
  seed: number | null;
  parameters: Record<string, unknown>;
  chosenCluster: ReportCluster;
  usedCluster: ReportCluster;
  overridden: boolean;
  override: { examiner: string; reason: string } | null;
  clusterDistances: (ReportCluster & { distance: number })[];
  output: { sha256: string; storePath: string | null; pdqHash: string; pdqQuality: number; integrityOk: boolean | null };
  /** Hamming distance between the evidence's and the output's PDQ hashes (0..256). */
  pdqDistance: number;
  /** Whether PDQ still matches the output to the input at the reference threshold. */
  pdqSamePicture: boolean;
  timingsMs: Record<string, number>;
  verdictsBefore: ReportVerdict[];
  verdictsAfter: ReportVerdict[];
  /** The evasion score and its signals, for a run whose bundle carries an evasion calibration (absent otherwise, so older reports keep their shape). */
  evasion?: EvasionRecord;
}

export interface ReportCluster {
  index: number;
  /** 'class:index' as the bundle names it, when the run recorded the names. */
  id: string | null;
}

export interface ReportVerdict {
  id: number;
  stage: 'before' | 'after';
  modelId: string;
  modelWeightsSha256: string;
  topClass: string;
  scores: Record<string, number>;
  examiner: string;
  createdAt: string;
}

/** Audit entries appear in a report exactly as the chain stores them, so a reader can re-hash them. */
export type ReportAuditEntry = AuditEntry;
