/** Worker thread: imports files into a case (main/case), so the database work never blocks a UI thread. */
import { CaseFolder } from '../case/case-folder.ts';
import { runJobWorker } from './run-job-worker.ts';

export interface ImportJobParameters {
  caseFolder: string;
  /** Null when resuming. */
  sources: string[] | null;
  resumeCaseJobId: number | null;
  examiner: string;
}

/** Per-file problems listed in the job's summary; the rest stay in the case's audit log. */
const LISTED_PROBLEMS = 50;

runJobWorker<ImportJobParameters>(async ({ caseFolder, sources, resumeCaseJobId, examiner }, { progress, signal }) => {
  const opened = await CaseFolder.open(caseFolder);
  try {
    const control = { examiner, progress, signal };
    const summary =
      resumeCaseJobId === null ? await opened.importEvidence(sources ?? [], control) : await opened.resumeImport({ ...control, jobId: resumeCaseJobId });
    const problems = summary.outcomes.filter((outcome) => outcome.outcome === 'error');
    return {
      caseJobId: summary.jobId,
      resumed: summary.resumed,
      total: summary.total,
      imported: summary.imported,
      duplicates: summary.duplicates,
      errors: summary.errors,
      problems: problems.slice(0, LISTED_PROBLEMS).map((outcome) => outcome.message ?? outcome.sourcePath),
    };
  } finally {
    opened.close();
  }
});
