/**
 * Names a person types (examiner names, case numbers and titles, requesters, tags) end up in the
 * audit log, in reports and on screen, where two names that look alike must be the same name.
 * They are normalised to Unicode NFC (so "é" typed as one code point or as e + accent is one
 * name) and refused when they hold characters that change how text is shown without being seen:
 * controls, text-direction overrides and marks, and invisible format characters.
 */
import { UserInputError } from '../errors/user-input-error.ts';

const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
// \p{Cf} covers the zero-width characters (U+200B-200D, U+2060, U+FEFF) and the rest of Unicode's
// invisible format characters; \p{Cc} the C0/C1 controls; U+2028/2029 break lines.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

export function describeCodePoint(character: string): string {
  const hex = character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex}`;
}

/** NFC-normalised and trimmed; throws naming the first offending character and its position. */
export function normaliseName(text: string, what: string): string {
  const normalised = text.normalize('NFC').trim();
  if (normalised.length === 0) throw new UserInputError(`the ${what} cannot be empty`);
  const characters = [...normalised];
  const bidi = characters.findIndex((character) => BIDI_CONTROLS.test(character));
  if (bidi >= 0) {
    throw new UserInputError(
      `the ${what} contains a text-direction control (${describeCodePoint(characters[bidi])} at character ${bidi + 1}), which can make it display as another name; retype it without`,
    );
  }
  const invisible = characters.findIndex((character) => INVISIBLE.test(character));
  if (invisible >= 0) {
    throw new UserInputError(
      `the ${what} contains an invisible or control character (${describeCodePoint(characters[invisible])} at character ${invisible + 1}), so two different names could look the same; retype it without`,
    );
  }
  return normalised;
}

/** Same rules for an optional field: empty stays absent. */
export function normaliseOptionalName(text: string | undefined | null, what: string): string | null {
  if (text === undefined || text === null || text.trim().length === 0) return null;
  return normaliseName(text, what);
}
