/**
 * File names in evidence folders are chosen by whoever made the evidence, and may contain
 * newlines, escape sequences or other control characters that would forge lines in a log or
 * repaint a terminal. Names shown to people or written into messages go through here.
 */
export function displayPath(path: string): string {
  return hasControlCharacters(path) ? JSON.stringify(path) : path;
}

export function hasControlCharacters(text: string): boolean {
  return /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u.test(text);
}
