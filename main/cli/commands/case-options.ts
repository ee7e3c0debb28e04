/** Options and helpers every `acsr case ...` subcommand shares. */
import type { StringOptionSpec } from '../args.ts';
import { withCaseFolder } from '../../actions/with-case-folder.ts';
import type { CaseFolder } from '../../case/case-folder.ts';

export const caseOption = {
  type: 'string',
  required: true,
  valueName: 'DIR',
  description: 'the case folder (case.sqlite + evidence/)',
} as const satisfies StringOptionSpec;

export const examinerOption = {
  type: 'string',
  required: true,
  valueName: 'NAME',
  description: 'who does this; recorded in the audit log',
} as const satisfies StringOptionSpec;

/**
 * Opens the case for the duration of `work` and always closes it, so that a failed command
 * leaves no open handle on the WAL. Jobs that a killed process left running are announced.
 */
export async function withCase<T>(
  folder: string,
  note: (line: string) => void,
  work: (caseFolder: CaseFolder) => Promise<T>,
  options: { readonly?: boolean } = {},
): Promise<T> {
  return withCaseFolder(folder, note, work, options);
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
