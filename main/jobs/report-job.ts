/** Worker thread: writes the case's audit report(s) (main/case/report) into the case's reports/ folder. */
import { CaseFolder } from '../case/case-folder.ts';
import { defaultReportPath, writeReports, type ReportFormat } from '../case/report/write-report.ts';
import { runJobWorker } from './run-job-worker.ts';

export interface ReportJobParameters {
  caseFolder: string;
  formats: ReportFormat[];
  blur: boolean;
  examiner: string;
}

runJobWorker<ReportJobParameters>(async ({ caseFolder, formats, blur, examiner }, { progress, signal }) => {
  const opened = await CaseFolder.open(caseFolder);
  try {
    const now = new Date();
    const targets = formats.map((format) => ({ format, path: defaultReportPath(opened, format, now) }));
    const written = await writeReports(opened, targets, { examiner, blur, progress, signal });
    return {
      reports: written.map((report) => ({ format: report.format, path: report.path, sha256: report.sha256, sizeBytes: report.sizeBytes })),
      verificationOk: written.every((report) => report.verificationOk),
    };
  } finally {
    opened.close();
  }
});
