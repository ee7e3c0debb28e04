/**
 * Folders as a person types them, and the browser host's folder browser. A web page cannot learn
 * real paths from a file picker, so the browser host lists folders itself, but only inside the
 * allowed roots (the user's home and any roots the host was started with); the main side
 * resolves every path, links included, and refuses anything outside them.
 */
import { z } from 'zod';

const noControlCharacters = (text: string) => !/\p{Cc}/u.test(text);

/** `~` or `~/...`: the home folder, expanded by the main side (never `~user`). */
export function isHomeRelative(path: string): boolean {
  return path === '~' || path.startsWith('~/');
}

/** A folder path typed or chosen: absolute, or starting with `~/`. */
export const typedFolderPathSchema = z
  .string()
  .trim()
  .min(1, 'choose a folder')
  .max(4096)
  .refine((path) => !path.includes('\0') && noControlCharacters(path), 'a folder path cannot contain control characters')
  .refine((path) => path.startsWith('/') || isHomeRelative(path), 'type a full folder path, starting with / or ~/');

export const folderBrowseInputSchema = z.strictObject({
  /** The folder to list; absent: the allowed roots. */
  path: typedFolderPathSchema.optional(),
});

const folderEntrySchema = z.object({ name: z.string(), path: z.string() });

export const folderListingSchema = z.object({
  /** The folder listed, resolved (links followed); null when listing the roots. */
  path: z.string().nullable(),
  /** One level up, or null at a root (the browser never goes above one). */
  parent: z.string().nullable(),
  /** Where browsing may start: the home folder first. */
  roots: z.array(folderEntrySchema),
  /** Sub-folders inside the roots, by name; hidden ones left out. */
  folders: z.array(folderEntrySchema),
  /** Image files directly in this folder (what an import of it would find at its top level). */
  imageFiles: z.number().int().nonnegative(),
  /** True when the folder had more sub-folders than are listed. */
  truncated: z.boolean(),
});

export type FolderListing = z.output<typeof folderListingSchema>;
