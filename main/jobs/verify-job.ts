/** Worker thread: verifies a case (audit chain and every stored file's hash), recording the check. */
import { CaseFolder } from '../case/case-folder.ts';
import { runJobWorker } from './run-job-worker.ts';

runJobWorker<{ caseFolder: string; examiner: string }>(async ({ caseFolder, examiner }, { progress, signal }) => {
  const opened = await CaseFolder.open(caseFolder);
  try {
    const verification = await opened.verify({ examiner, progress, signal });
    return {
      ok: verification.ok,
      itemsChecked: verification.itemsChecked,
      outputsChecked: verification.outputsChecked,
      problems: verification.problems.length,
      firstBrokenLink: verification.firstBrokenLink,
    };
  } finally {
    opened.close();
  }
});
