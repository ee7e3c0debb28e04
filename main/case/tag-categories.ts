/**
 * Category tags in the style of Project VIC's VICS categories (CAT-0 to CAT-5). Exactly one
 * category applies to an item at a time (the latest one given); user tags are free-form and
 * accumulate. The short labels follow the commonly used VICS meanings; an agency that uses other
 * wording keeps the codes, which are what is stored and exported.
 */
import { UserInputError } from '../errors/user-input-error.ts';
import { normaliseName } from './text-safety.ts';

export const CATEGORY_CODES = ['CAT-0', 'CAT-1', 'CAT-2', 'CAT-3', 'CAT-4', 'CAT-5'] as const;
export type CategoryCode = (typeof CATEGORY_CODES)[number];

export const CATEGORY_LABELS: Readonly<Record<CategoryCode, string>> = {
  'CAT-0': 'uncategorised',
  'CAT-1': 'illegal: child abuse material',
  'CAT-2': 'child exploitive (not illegal)',
  'CAT-3': 'CGI or animation',
  'CAT-4': 'comparison image',
  'CAT-5': 'not pertinent',
};

export function parseCategory(text: string): CategoryCode {
  const normalised = text.trim().toUpperCase();
  const code = /^(CAT-?)?([0-5])$/.exec(normalised);
  if (!code) throw new UserInputError(`unknown category '${text}' (one of ${CATEGORY_CODES.join(', ')})`);
  return `CAT-${code[2]}` as CategoryCode;
}

const MAX_TAG_LENGTH = 100;

/** User tags end up in reports and file names of exports, so they are kept short and printable. */
export function validateUserTag(text: string): string {
  if (text.trim().length === 0) throw new UserInputError('a tag cannot be empty');
  const tag = normaliseName(text, 'tag');
  if (tag.length > MAX_TAG_LENGTH) throw new UserInputError(`tag is ${tag.length} characters long; the limit is ${MAX_TAG_LENGTH}`);
  if (/^CAT-?[0-9]$/i.test(tag)) throw new UserInputError(`'${tag}' looks like a category: use --category ${tag} instead of --tag`);
  return tag;
}
