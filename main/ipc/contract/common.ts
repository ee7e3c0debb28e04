/**
 * Building blocks of the IPC contract: ids, names, paths and free text as the renderer may send
 * them, and the progress event every job streams. Strict on purpose: the renderer is untrusted.
 */
import { z } from 'zod';
import type { ProgressEvent } from '../../progress/progress.ts';

const noControlCharacters = (text: string) => !/\p{Cc}/u.test(text);

/** A case is addressed by its folder's name inside the workspace, never by a path. */
export const caseIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use only letters, digits and . _ - (at most 64 characters)')
  .refine((id) => !id.includes('..'), 'cannot contain ..');

export const examinerNameSchema = z.string().trim().min(1, 'cannot be empty').max(100).refine(noControlCharacters, 'remove the tabs and line breaks');

export const shortTextSchema = z.string().trim().max(200).refine(noControlCharacters, 'remove the tabs and line breaks');

/** Paths typed by a person or returned by a native dialog: absolute (or from the home folder, `~/...`), at most 4096 characters. */
export const absolutePathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'remove the NUL character from the path')
  // `~` and `~/x` are the home folder, expanded by the main side (main/workstation/folder-browser.ts).
  .refine(
    (path) => path.startsWith('/') || path === '~' || path.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\'),
    'give its full path, starting with /',
  );

export const itemIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const jobIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const isoTimeSchema = z.string();
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
export const emptyInputSchema = z.strictObject({});
/** A reference bundle by id: the shipped default or one trained into the workspace; never a path. */
export const bundleIdSchema = z.string().regex(/^(default-bundle|trained:[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, 'choose one from the list');
/** A content filter of the model registry, by id. */
export const classifierIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'choose one from the list');

/** A cluster of a bundle: '<class name>:<index>'. */
export const clusterIdSchema = z
  .string()
  .max(100)
  .regex(/^[^:]+:\d{1,3}$/, "choose one of the bundle's clusters")
  .refine(noControlCharacters, "choose one of the bundle's clusters");

/** A name for a new folder the workstation creates (a trained bundle): never a path. */
export const folderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use only letters, digits and . _ - (at most 64 characters), starting with a letter or digit')
  .refine((name) => !name.includes('..'), 'cannot contain ..');

/** A model of the registry offered to the person, by id, with the classes it tells apart. */
export const classifierChoiceSchema = z.object({
  classifierId: classifierIdSchema,
  /** the model's name for people; the id goes in a details line */
  label: z.string(),
  /** the registry's full description (architecture, weights), for the details line */
  description: z.string().optional(),
  classNames: z.array(z.string()),
});

/** A reference bundle the renderer may choose (the path stays on the main side). */
export const bundleChoiceSchema = z.object({
  bundleId: bundleIdSchema,
  label: z.string(),
  /** What a purification run records as the bundle's identity. */
  manifestSha256: sha256Schema,
  extractorId: z.string(),
  clusterIds: z.array(z.string()),
  description: z.string(),
  /** the defense tuning recommended on the bundle's own validation images, in one sentence (absent: never compared) */
  recommendation: z.object({ defense: z.string(), sentence: z.string() }).nullable().optional(),
  /** the false-positive rate of its evasion check (`acsr calibrate-evasion`); absent: the bundle has no evasion check */
  evasionCheck: z.object({ falsePositiveTarget: z.number() }).optional(),
});

// main/progress/progress.ts is the one progress interface; this is its shape on the wire.
export const progressEventSchema = z.object({
  stage: z.string(),
  stageFraction: z.number(),
  fraction: z.number(),
  message: z.string().optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.array(z.number())])).optional(),
  elapsedSeconds: z.number(),
  etaSeconds: z.number().nullable(),
});
// Compile-time proof that the schema and the interface describe the same object.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const progressEventMatches: Same<z.infer<typeof progressEventSchema>, ProgressEvent> = true;
void progressEventMatches;

export type BundleChoice = z.output<typeof bundleChoiceSchema>;
export type ClassifierChoice = z.output<typeof classifierChoiceSchema>;
