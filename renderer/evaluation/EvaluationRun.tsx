/**
 * One evaluation job: progress and cancel while it runs, the accuracy table filling in unit by
 * unit, and when done the plots and the folder holding results.json, results.md and the journal.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { JobOutput, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { CopyablePath } from '../common/CopyablePath.tsx';
import { useJobOutputs } from '../jobs/use-job-outputs.ts';
import { AccuracyTable } from './AccuracyTable.tsx';
import { EvaluationPlots } from './EvaluationPlots.tsx';

type EvaluationOutput = Extract<JobOutput, { type: 'evaluation' }>;

export function EvaluationRun({ job }: { job: JobSnapshot }) {
  const client = useClient();
  const { reportError } = useNotices();
  const outputs = useJobOutputs(job.jobId);
  const latest = outputs.filter((output): output is EvaluationOutput => output.type === 'evaluation').at(-1)?.table ?? null;
  const active = job.state === 'queued' || job.state === 'running';
  const percent = Math.round((job.progress?.fraction ?? 0) * 100);
  const summary = job.summary;
  const folder = typeof summary?.evaluationFolder === 'string' ? summary.evaluationFolder : null;
  const plots = Array.isArray(summary?.plots) ? (summary.plots as string[]) : [];

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="evaluation-run" data-job-state={job.state}>
      <Stack spacing={1.5}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', justifyContent: 'space-between' }}>
          <Typography variant="subtitle1">{job.label}</Typography>
          <Typography variant="body2" color="text.secondary">
            {job.state}
          </Typography>
        </Stack>
        {active && (
          <>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <LinearProgress variant={job.state === 'queued' ? 'indeterminate' : 'determinate'} value={percent} sx={{ flex: 1 }} />
              <Typography variant="caption" sx={{ minWidth: 40 }}>
                {percent}%
              </Typography>
              <Button
                color="warning"
                variant="outlined"
                size="small"
                onClick={() => client.call('jobs.cancel', { jobId: job.jobId }).catch(reportError)}
                data-testid="evaluation-cancel"
              >
                Cancel evaluation
              </Button>
            </Stack>
            <Typography variant="caption" color="text.secondary">
              {job.progress ? `${job.progress.stage}${job.progress.message ? ` · ${job.progress.message}` : ''}` : 'waiting'}
            </Typography>
          </>
        )}
        {job.state === 'failed' && <Alert severity="error">{job.error}</Alert>}
        {job.state === 'cancelled' && <Alert severity="info">Evaluation cancelled: the units finished so far stay in its folder's journal and results.</Alert>}
        {latest && (
          <Box>
            <Typography variant="subtitle2" gutterBottom data-testid="accuracy-caption">
              Accuracy on {latest.imageCount} image{latest.imageCount === 1 ? '' : 's'}, 95 % Wilson intervals
              {latest.complete ? '' : ' — partial: units still running'}
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
