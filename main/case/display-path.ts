/**
 * File names in evidence folders are chosen by whoever made the evidence, and may contain
 * newlines, escape sequences or text-direction overrides that would forge lines in a log, repaint
 * a terminal, or show "photo<RLO>gpj.exe" as "photoexe.jpg". Names shown to people or written
 * into messages go through here: such names are shown quoted, with those characters escaped.
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNSAFE_CHARACTERS_GLOBAL = new RegExp(UNSAFE_CHARACTERS.source, 'gu');

export function displayPath(path: string): string {
  if (!hasControlCharacters(path)) return path;
  // JSON.stringify escapes C0 controls itself; the rest (DEL, C1, direction marks) it leaves raw.
  return JSON.stringify(path).replace(UNSAFE_CHARACTERS_GLOBAL, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function hasControlCharacters(text: string): boolean {
  return UNSAFE_CHARACTERS.test(text);
}
