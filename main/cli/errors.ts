/**
 * The product's failure vocabulary. The CLI maps each class to an exit code and the desktop app
 * to a dialog; anything that is not one of these is treated as a bug (exit code 1).
 */

import { UserInputError } from '../errors/user-input-error.ts';

export { UserInputError };

/** A malformed command line: unknown option, missing value, number out of range. */
export class UsageError extends UserInputError {
  override name = 'UsageError';
}

export { CancelledError } from '../progress/progress.ts';

export const ExitCode = {
  ok: 0,
  internalError: 1,
  userInputError: 2,
  /** The shell convention for "terminated by SIGINT". */
  cancelled: 130,
} as const;

/** Collapses a message to one line, because every CLI error must be exactly one stderr line. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, '; ').trim();
}
