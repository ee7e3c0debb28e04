/** Long actions with their progress bars, stage, ETA and a cancel button; finished ones below. */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { JobSnapshot } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { MetricsView } from './MetricsView.tsx';

export function JobsPanel({ jobs }: { jobs: JobSnapshot[] }) {
  if (jobs.length === 0) return null;
  return (
    <Paper square elevation={0} sx={{ width: 340, borderLeft: 1, borderColor: 'divider', p: 2, overflow: 'auto' }} data-testid="jobs-panel">
      <Typography variant="subtitle1" gutterBottom>
        Jobs
      </Typography>
      <Stack spacing={2}>
        {jobs.map((job) => (
          <JobRow key={job.jobId} job={job} />
        ))}
      </Stack>
    </Paper>
  );
}

function JobRow({ job }: { job: JobSnapshot }) {
  const client = useClient();
  const { reportError } = useNotices();
  const active = job.state === 'queued' || job.state === 'running';
  const percent = Math.round((job.progress?.fraction ?? 0) * 100);
  return (
    <Box data-testid="job-row" data-job-state={job.state}>
      <Stack sx={{ justifyContent: 'space-between', alignItems: 'baseline' }} direction="row" spacing={1}>
        <Typography variant="body2" sx={{ fontWeight: 600, wordBreak: 'break-word' }}>
          {job.label}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {job.state}
        </Typography>
      </Stack>
      {active && (
        <>
          <LinearProgress variant={job.state === 'queued' ? 'indeterminate' : 'determinate'} value={percent} sx={{ my: 0.5 }} />
          <Stack sx={{ justifyContent: 'space-between', alignItems: 'center' }} direction="row">
            <Typography variant="caption" color="text.secondary" noWrap>
              {job.progress ? `${job.progress.stage} · ${job.progress.message ?? `${percent}%`}${eta(job.progress.etaSeconds)}` : 'waiting'}
            </Typography>
            <Button size="small" color="warning" onClick={() => client.call('jobs.cancel', { jobId: job.jobId }).catch(reportError)}>
              Cancel
            </Button>
          </Stack>
          {job.progress?.metrics && <MetricsView metrics={job.progress.metrics} />}
        </>
      )}
      {job.state === 'completed' && job.summary && (
        <Typography variant="caption" color={job.summary.ok === false ? 'error' : 'text.secondary'} sx={{ wordBreak: 'break-all' }} data-testid="job-summary">
          {describeSummary(job.summary)}
        </Typography>
      )}
      {job.state === 'failed' && (
        <Alert severity="error" sx={{ mt: 0.5 }}>
          {job.error}
        </Alert>
      )}
    </Box>
  );
}

function eta(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return ` · ${Math.ceil(seconds)} s left`;
  return ` · ${Math.ceil(seconds / 60)} min left`;
}

function describeSummary(summary: Record<string, unknown>): string {
  if (Array.isArray(summary.reports)) {
    const reports = summary.reports as { format: string; path: string }[];
    return `${reports.map((report) => `${report.format.toUpperCase()}: ${report.path}`).join(' · ')}${summary.verificationOk === false ? ' · the case did NOT verify' : ''}`;
  }
  if (typeof summary.itemsChecked === 'number') {
    return summary.ok ? `verified: audit chain intact, ${summary.itemsChecked} items and ${summary.outputsChecked} outputs match their hashes` : `NOT verified: ${summary.firstBrokenLink}`;
  }
  if (typeof summary.purified === 'number') {
    const earlier = typeof summary.doneEarlier === 'number' && summary.doneEarlier > 0 ? ` (resumed: ${summary.doneEarlier} done before)` : '';
    const warnings = Array.isArray(summary.warnings) && summary.warnings.length > 0 ? ` · ${summary.warnings.length} warning(s): ${summary.warnings[0]}` : '';
    return `${summary.purified} item${summary.purified === 1 ? '' : 's'} purified${earlier}${warnings}`;
  }
  if (typeof summary.evaluationId === 'string') {
    return `evaluation ${summary.evaluationId}: ${summary.images} images${Array.isArray(summary.plots) && summary.plots.length ? `, plots ${(summary.plots as string[]).join(', ')}` : ''}`;
  }
  if (typeof summary.bundlePath === 'string' && Array.isArray(summary.clusters)) {
    return `bundle written: ${summary.images} images, ${summary.clusters.length} cluster${summary.clusters.length === 1 ? '' : 's'} (${(summary.clusters as string[]).join(', ')})`;
  }
  if (typeof summary.imported === 'number') {
    return `${summary.imported} imported, ${summary.duplicates} duplicates skipped, ${summary.errors} errors${summary.resumed ? ' (resumed)' : ''}`;
  }
  return Object.entries(summary)
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
}
