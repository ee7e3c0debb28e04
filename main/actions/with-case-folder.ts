/** Opening a case for one action, the same way for the command line and a job. */
import { CaseFolder } from '../case/case-folder.ts';

/**
 * Opens the case for the duration of `work` and always closes it, so that a failed action
 * leaves no open handle on the WAL. Jobs that a killed process left running are announced.
 */
export async function withCaseFolder<T>(
  folder: string,
  note: (line: string) => void,
  work: (caseFolder: CaseFolder) => Promise<T>,
  options: { readonly?: boolean } = {},
): Promise<T> {
  const caseFolder = await CaseFolder.open(folder, options);
  try {
    for (const job of caseFolder.interruptedOnOpen) {
      note(
        `${job.kind} job ${job.id} was interrupted after ${job.progressDone} of ${job.progressTotal ?? '?'} files (its process ${job.ownerPid} is gone); continue it with 'acsr case ${job.kind} --resume'`,
      );
    }
    return await work(caseFolder);
  } finally {
    caseFolder.close();
  }
}
