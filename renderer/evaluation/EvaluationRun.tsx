/**
 * One evaluation job: progress, time left and cancel while it runs, the accuracy table filling in
 * unit by unit, and when done the plots and the folder holding results.json, results.md and the
 * journal. A stopped one offers Resume, which continues in the same folder.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { JobOutput, JobSnapshot, PastEvaluation } from '../../main/ipc/contract/index.ts';
import { CopyablePath } from '../common/CopyablePath.tsx';
import { useJobOutputs } from '../jobs/use-job-outputs.ts';
import { AccuracyTable } from './AccuracyTable.tsx';
import { EvaluationPlots } from './EvaluationPlots.tsx';
import { JobFailure } from '../jobs/JobFailure.tsx';
import { JobRunHeader, JobRunProgress } from '../jobs/JobRunHeader.tsx';

type EvaluationOutput = Extract<JobOutput, { type: 'evaluation' }>;

/** The time left as the evaluation measures it (main/acsr/evaluation/time-estimate.ts): nothing rather than a guess before each kind of unit was timed. */
export function describeTimeLeft(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'estimating time left…';
  if (seconds < 1) return 'finishing';
  if (seconds < 90) return `about ${Math.ceil(seconds)} s left`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${(seconds / 3600).toFixed(1)} h left`;
}

export function EvaluationRun({ job, past, onResume }: { job: JobSnapshot; past: PastEvaluation | null; onResume: (evaluationId: string) => void }) {
  const outputs = useJobOutputs(job.jobId);
  const latest = outputs.filter((output): output is EvaluationOutput => output.type === 'evaluation').at(-1)?.table ?? null;
  const active = job.state === 'queued' || job.state === 'running';
  const summary = job.summary;
  const folder = typeof summary?.evaluationFolder === 'string' ? summary.evaluationFolder : null;
  const plots = Array.isArray(summary?.plots) ? (summary.plots as string[]) : [];

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="evaluation-run" data-job-state={job.state}>
      <Stack spacing={1.5}>
        <JobRunHeader job={job} testIdPrefix="evaluation" />
        {active && (
          <>
            <JobRunProgress job={job} cancelLabel="Cancel evaluation" testIdPrefix="evaluation" />
            <Typography variant="caption" color="text.secondary">
              {job.progress ? `${job.progress.stage}${job.progress.message ? ` · ${job.progress.message}` : ''}` : 'waiting'}
            </Typography>
            {job.state === 'running' && (
              <Typography variant="body2" data-testid="evaluation-time-left">
                {describeTimeLeft(job.progress?.etaSeconds)}
              </Typography>
            )}
          </>
        )}
        {job.state === 'failed' && <JobFailure error={job.error} details={job.errorDetails} />}
        {(job.state === 'cancelled' || job.state === 'failed') && (
          <Alert
            severity="info"
            data-testid="evaluation-stopped"
            action={
              past?.status === 'stopped' && past.cannotResume === null ? (
                <Button color="inherit" size="small" onClick={() => onResume(past.evaluationId)} data-testid="evaluation-resume">
                  Resume
                </Button>
              ) : undefined
            }
          >
            Evaluation {job.state === 'cancelled' ? 'cancelled' : 'stopped'}: the units finished so far stay in its folder; Resume continues there without
            computing them again.
          </Alert>
        )}
        {latest && (
          <Box>
            <Typography variant="subtitle2" gutterBottom data-testid="accuracy-caption">
              Accuracy on {latest.imageCount} image{latest.imageCount === 1 ? '' : 's'}, 95 % Wilson intervals
              {latest.complete
                ? ''
                : active
                  ? ' — partial: units still running'
                  : ' — partial: stopped before every unit was done (each cell says how many images it rests on)'}
            </Typography>
            <AccuracyTable table={latest} />
          </Box>
        )}
        {!latest && active && (
          <Typography variant="body2" color="text.secondary">
            The accuracy table fills in as each batch of images is attacked and defended.
          </Typography>
        )}
        {job.state === 'completed' && latest && <EvaluationPlots evaluationId={latest.evaluationId} plots={plots} />}
        {folder && (
          <Box data-testid="evaluation-folder">
            <Typography variant="body2">results.json, results.md, the plots and the journal are in:</Typography>
            <CopyablePath path={folder} testId="evaluation-path" />
          </Box>
        )}
      </Stack>
    </Paper>
  );
}
