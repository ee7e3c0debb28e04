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
});

export const setExaminerInputSchema = z.strictObject({ name: examinerNameSchema });

export const createCaseInputSchema = z.strictObject({
  number: shortTextSchema.pipe(z.string().min(1, 'the case number cannot be empty').max(64)),
  title: shortTextSchema,
  requester: shortTextSchema.optional(),
});

export type AppState = z.output<typeof appStateSchema>;
export type CaseSummary = z.output<typeof caseSummarySchema>;
