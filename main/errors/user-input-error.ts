/**
 * An expected failure caused by what the user gave us (a missing file, a corrupt image, a
 * dictionary of the wrong shape). The message is shown as-is, so it must name the offending
 * input and say what was wrong with it. Every front end (CLI, desktop app) maps it to a clear
 * message; anything else is treated as a bug. It lives outside cli/ because io/ and the case
 * database raise it too.
 */
export class UserInputError extends Error {
  override name = 'UserInputError';
}
