/** The application's state and the cases of the workspace, as the renderer sees them. */
import { z } from 'zod';
import { caseIdSchema, examinerNameSchema, isoTimeSchema, shortTextSchema } from './common.ts';

export const appStateSchema = z.object({
  host: z.enum(['electron', 'browser']),
  /** Null until the person at the keyboard has said who they are (first run). */
  examiner: z.string().nullable(),
  /** Investigator wellness: thumbnails blurred and greyscale unless revealed one by one. */
  blurByDefault: z.boolean(),
  /** Electron offers native folder dialogs; the browser host asks for a typed path instead. */
  nativeFolderDialog: z.boolean(),
  workspace: z.string(),
});

const unfinishedJobSchema = z.object({
  caseJobId: z.number().int().positive(),
  state: z.enum(['cancelled', 'failed', 'interrupted']),
  done: z.number().int(),
  total: z.number().int().nullable(),
});

/** The outcome of the case's latest verification, as recorded in its audit log. */
export const verificationOutcomeSchema = z.object({
  ok: z.boolean(),
  checkedAt: isoTimeSchema,
  checkedBy: z.string(),
  problemCount: z.number().int().nonnegative(),
  /** The first finding in words, null when everything held. */
  firstProblem: z.string().nullable(),
  /** The items a finding is on: their tiles are marked until a later verification passes. */
  affectedItemIds: z.array(z.number().int().positive()),
});

export const caseSummarySchema = z.object({
  caseId: caseIdSchema,
  number: z.string(),
  title: z.string(),
  requester: z.string().nullable(),
  createdAt: isoTimeSchema,
  createdBy: z.string(),
  itemCount: z.number().int().nonnegative(),
  /** Imports that stopped before finishing (cancelled, failed, or their process died): each can be resumed. */
  unfinishedImports: z.array(unfinishedJobSchema),
  /** Purify jobs that stopped before finishing (a host restart leaves them interrupted or cancelled): resuming purifies the rest. */
  unfinishedPurifications: z.array(unfinishedJobSchema),
  /** Null until the case has been verified once. */
  lastVerification: verificationOutcomeSchema.nullable(),
});

/** A file an import of the case did not take in, with a plain reason and the recorded detail. */
export const importFailureSchema = z.object({
  caseJobId: z.number().int().positive(),
  file: z.string(),
  reason: z.string(),
  detail: z.string(),
});

export const setExaminerInputSchema = z.strictObject({ name: examinerNameSchema });

export const createCaseInputSchema = z.strictObject({
  number: shortTextSchema.pipe(z.string().min(1, 'cannot be empty').max(64)),
  title: shortTextSchema,
  requester: shortTextSchema.optional(),
});

export type AppState = z.output<typeof appStateSchema>;
export type CaseSummary = z.output<typeof caseSummarySchema>;
export type ImportFailure = z.output<typeof importFailureSchema>;
export type VerificationOutcome = z.output<typeof verificationOutcomeSchema>;
