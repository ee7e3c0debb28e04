/** The case database's records as the rest of the product sees them (camelCase, JSON parsed). */
import type { DihedralName } from '../pdq/dihedral.ts';
import type { HashKind } from '../triage/hash-kinds.ts';
import type { CategoryCode } from './tag-categories.ts';

export interface CaseRecord {
  id: number;
  number: string;
  title: string;
  requester: string | null;
  createdAt: string;
  createdBy: string;
  closedAt: string | null;
}

export interface EvidenceItem {
  id: number;
  originalName: string;
  originalPath: string;
  sizeBytes: number;
  mediaType: string;
  width: number;
  height: number;
  sha256: string;
  md5: string;
  pdqHash: string;
  pdqQuality: number;
  importedAt: string;
  examiner: string;
  /** Relative to the case folder, e.g. evidence/3f/3f5a...; content-addressed by sha256. */
  storePath: string;
  importJobId: number | null;
  /** What the decoder did to read the file (EXIF rotation, dropped alpha...), from main/io/image.ts. */
  decodeNotes: string[];
}

export interface TagRecord {
  id: number;
  itemId: number;
  kind: 'category' | 'user';
  value: string;
  comment: string | null;
  examiner: string;
  createdAt: string;
  /** Taken back by an undo (tag_reversals): kept in the history, no longer in effect. */
  reversed: boolean;
}

export interface NoteRecord {
  id: number;
  itemId: number | null;
  text: string;
  examiner: string;
  createdAt: string;
}

export type JobState = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRecord {
  id: number;
  kind: string;
  state: JobState;
  progressDone: number;
  progressTotal: number | null;
  parameters: unknown;
  error: string | null;
  examiner: string;
  ownerPid: number | null;
  ownerHost: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export type ImportOutcomeKind = 'imported' | 'duplicate' | 'error';

export interface ImportOutcome {
  sourcePath: string;
  outcome: ImportOutcomeKind;
  itemId: number | null;
  errorKind: string | null;
  message: string | null;
}

export interface PurificationRunInput {
  itemId: number;
  jobId?: number;
  bundleId: string;
  bundleManifestSha256: string;
  parameters: Record<string, unknown>;
  seed?: number;
  backend: string;
  /** The cluster the method chose on its own. */
  chosenCluster: number;
  /** Distance of the input to every cluster, in cluster order. */
  clusterDistances: number[];
  /** Set when an examiner made the run use another cluster than the chosen one. */
  override?: { cluster: number; examiner: string; reason: string };
  outputSha256: string;
  /** Where the purified image was stored, relative to the case folder (see EvidenceStore). */
  outputStorePath?: string;
  outputPdqHash: string;
  outputPdqQuality: number;
  /** Hamming distance between the input's and the output's PDQ hashes. */
  pdqDistance: number;
  timingsMs: Record<string, number>;
  examiner: string;
  /** The evasion score, when the bundle carries an evasion calibration (null or absent: none). */
  evasion?: EvasionRecord | null;
}

/**
 * "Was this image made to fool the filter?" for one purification run: the calibrated score, the
 * threshold it is compared with and every signal with its value and its share of the log-odds
 * (main/acsr/evasion/evasion-calibration.ts), and which calibration gave it.
 */
export interface EvasionRecord {
  score: number;
  threshold: number;
  suspected: boolean;
  /** The share of clean images the threshold was set to flag, e.g. 0.05. */
  falsePositiveTarget: number;
  signals: { name: string; value: number; contribution: number }[];
  /** The calibration's constant term: bias + the contributions = the log-odds of the score. */
  bias: number;
  calibration: {
    version: number;
    /** SHA-256 of the images the score was fitted on. */
    fittingDataSha256: string;
    classifier: { id: string; weightSha256: string };
  };
  /** The run used other purification settings than the calibration was fitted at: the threshold may not hold its rate. */
  settingsDiffer: boolean;
}

export interface PurificationRun extends Omit<PurificationRunInput, 'override' | 'jobId' | 'seed' | 'outputStorePath' | 'evasion'> {
  id: number;
  /** Absent when the run's bundle carries no evasion calibration (and in runs recorded before schema 6). */
  evasion?: EvasionRecord;
  jobId: number | null;
  seed: number | null;
  outputStorePath: string | null;
  override: { cluster: number; examiner: string; reason: string } | null;
  createdAt: string;
}

export interface VerdictInput {
  itemId: number;
  /** Required for 'after' verdicts: which purification produced the classified image. */
  purificationRunId?: number;
  stage: 'before' | 'after';
  modelId: string;
  modelWeightsSha256: string;
  scores: Record<string, number>;
  examiner: string;
}

export interface Verdict extends Omit<VerdictInput, 'purificationRunId'> {
  id: number;
  purificationRunId: number | null;
  topClass: string;
  createdAt: string;
}

export interface ReportInput {
  /**
   * '<report id>.<format>': the report id is printed inside the file (shared by the files of one
   * export), so that a printed copy can be traced to this row. Older rows hold the id alone.
   */
  reportUid: string;
  format: string;
  path: string;
  sha256: string;
  examiner: string;
  /** Which items the report covers, recorded in its audit entry (absent: the whole case). */
  scope?: Record<string, unknown>;
}

export interface ReportRecord extends Omit<ReportInput, 'scope'> {
  id: number;
  createdAt: string;
}

export interface ItemFilter {
  /** Items whose current category is this one. */
  category?: CategoryCode;
  /** Items that carry every one of these user tags. */
  tags?: readonly string[];
  /** Items that have no category yet. */
  uncategorised?: boolean;
}

/** Hashes an import keeps for matching against hash lists added later. */
export interface ItemMatchHashes {
  sha1: string;
  /** PDQ hashes of the eight rotations and mirrors, in pdq/dihedral.ts order (the first is the picture as is). */
  pdqVariants: string[];
}

/** A known-content hash list entry an item matched, as a matching run found it. */
export interface NewHashMatch {
  itemId: number;
  listName: string;
  /** The list's version: the SHA-256 of the file it was imported from. */
  listSha256: string;
  /** The line of the list file the entry starts on. */
  line: number;
  kind: HashKind;
  /** 0 for an exact hash; the PDQ distance in bits. */
  distance: number;
  /** For PDQ: the item's rotation or mirror that came closest. */
  variant: DihedralName | null;
  category: string | null;
  source: string | null;
}

/** A match kept in the case. */
export interface HashMatchRecord extends NewHashMatch {
  id: number;
  /** The PDQ threshold of the run that found it. */
  threshold: number;
  examiner: string;
  createdAt: string;
}

export interface ItemSummary extends EvidenceItem {
  category: CategoryCode | null;
  tags: string[];
}

export interface ExaminerKeyRecord {
  id: number;
  /** null when the row names no examiner (a tampered row). */
  examiner: string | null;
  /** Base64 of the DER SubjectPublicKeyInfo of an Ed25519 key. */
  publicKey: string;
  /** SHA-256 (hex) of the DER public key. */
  fingerprint: string;
  createdAt: string;
}

export interface CheckpointRecord {
  id: number;
  sequence: number;
  headSha256: string;
  signedAt: string;
  examiner: string;
  osUser: string;
  keyFingerprint: string;
  /** Base64 DER SubjectPublicKeyInfo, as in examiner_keys. */
  publicKey: string;
  /** Base64 Ed25519 signature over checkpointPayload(...) (checkpoints.ts). */
  signature: string;
}
