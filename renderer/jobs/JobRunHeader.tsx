/** The top of a long job's own view (training, evaluation): its label and state, and while it is active its progress bar with a cancel button. */
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { JobSnapshot } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';

export function JobRunHeader({ job, testIdPrefix }: { job: JobSnapshot; testIdPrefix: string }) {
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', justifyContent: 'space-between' }}>
      <Typography variant="subtitle1">{job.label}</Typography>
      <Typography variant="body2" color="text.secondary" data-testid={`${testIdPrefix}-state`}>
        {job.state}
      </Typography>
    </Stack>
  );
}

/** Shown while the job is queued or running. */
export function JobRunProgress({ job, cancelLabel, testIdPrefix }: { job: JobSnapshot; cancelLabel: string; testIdPrefix: string }) {
  const client = useClient();
  const { reportError } = useNotices();
  const percent = Math.round((job.progress?.fraction ?? 0) * 100);
  return (
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
        data-testid={`${testIdPrefix}-cancel`}
      >
        {cancelLabel}
      </Button>
    </Stack>
  );
}
