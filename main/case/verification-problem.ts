/** One thing `acsr case verify` found wrong, named so that a reader can go and look at it. */
export type ProblemKind =
  'database-integrity' | 'audit-chain' | 'append-only-guard' | 'schema' | 'record' | 'checkpoint' | 'evidence' | 'purified-output' | 'report-file';

export interface VerificationProblem {
  kind: ProblemKind;
  /** What and where, by human names: e.g. "tag 7 on item 2 (flower.jpg)", "examiner 2 ('bob')". */
  where: string;
  reason: string;
  /** The audit entry the finding is about, when there is one. */
  auditSequence?: number | null;
  /** The evidence item the finding is on, when there is one: the app marks its tile. */
  itemId?: number;
}
