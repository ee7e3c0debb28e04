/**
 * A case number is also the name of the case's folder in a workspace, so it must be a safe
 * folder name as typed: a number such as `../../etc` is refused with the rule, never rewritten
 * into some other folder name the investigator did not choose.
 */
import { UserInputError } from '../errors/user-input-error.ts';

const SAFE_CASE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const CASE_NUMBER_RULE =
  'use only letters, digits, dots (.), underscores (_) and hyphens (-), at most 64 characters, starting with a letter or digit (for example 2026-0042)';

/** The number itself when it is a safe folder name; a refusal in words otherwise. */
export function checkCaseNumber(number: string): string {
  if (number.length === 0) throw new UserInputError(`the case number cannot be empty: ${CASE_NUMBER_RULE}`);
  if (!SAFE_CASE_NUMBER.test(number) || number.includes('..')) {
    throw new UserInputError(`the case number '${printable(number)}' cannot be a folder name: ${CASE_NUMBER_RULE}`);
  }
  return number;
}

/** Shown inside the message without control characters (the message is one line). */
function printable(number: string): string {
  const shown = JSON.stringify(number).slice(1, -1);
  return shown.length > 80 ? `${shown.slice(0, 80)}…` : shown;
}
