/** Long actions with their progress bars, stage, ETA and a cancel button; finished ones below. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { JobSnapshot } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { ImportFailureList } from './ImportFailureList.tsx';
import { JobFailure } from './JobFailure.tsx';
import { CopyablePath } from '../common/CopyablePath.tsx';
import { MetricsView } from './MetricsView.tsx';

/**
 * The jobs of the open case (and those of no case: training, evaluation), newest first. The panel
 * folds to a narrow strip, and "Clear finished" hides finished jobs from this window.
 */
export function JobsPanel({ jobs, caseId }: { jobs: JobSnapshot[]; caseId: string | null }) {
  const [collapsed, setCollapsed] = useState(false);
  const [cleared, setCleared] = useState<ReadonlySet<number>>(new Set());
  const shown = jobs.filter((job) => (job.caseId === null || caseId === null || job.caseId === caseId) && !cleared.has(job.jobId));
  if (shown.length === 0) return null;
  const running = shown.filter((job) => job.finishedAt === null).length;
  const finished = shown.filter((job) => job.finishedAt !== null);
  if (collapsed) {
    return (
      <Paper
        square
        elevation={0}
        sx={{ width: 44, borderLeft: 1, borderColor: 'divider', py: 1, display: 'flex', flexDirection: 'column', alignItems: 'center' }}
        data-testid="jobs-panel"
        data-collapsed="true"
      >
        <Tooltip title="Show the jobs">
          <IconButton size="small" onClick={() => setCollapsed(false)} aria-label="Show the jobs">
            ‹
          </IconButton>
        </Tooltip>
        <Typography variant="caption" sx={{ writingMode: 'vertical-rl', mt: 1, color: running > 0 ? 'primary.main' : 'text.secondary' }}>
          Jobs{running > 0 ? ` · ${running} running` : ''}
        </Typography>
      </Paper>
    );
  }
  return (
    <Paper
      square
      elevation={0}
      sx={{ width: 340, borderLeft: 1, borderColor: 'divider', p: 2, overflow: 'auto' }}
      data-testid="jobs-panel"
      data-collapsed="false"
    >
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }} spacing={1}>
        <Typography variant="subtitle1" sx={{ flex: 1 }}>
          {caseId ? 'Jobs of this case' : 'Jobs'}
        </Typography>
        {finished.length > 0 && (
          <Button size="small" onClick={() => setCleared((current) => new Set([...current, ...finished.map((job) => job.jobId)]))}>
            Clear finished
          </Button>
        )}
        <Tooltip title="Fold the jobs away">
          <IconButton size="small" onClick={() => setCollapsed(true)} aria-label="Fold the jobs away">
            ›
          </IconButton>
        </Tooltip>
      </Stack>
      <Stack spacing={2}>
        {shown.map((job) => (
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
      {job.state === 'completed' && job.summary && Array.isArray(job.summary.reports) ? (
        <ReportPaths summary={job.summary} />
      ) : (
        job.state === 'completed' &&
        job.summary && (
          // Long paths break where they must; words never break in the middle.
          <Typography
            variant="caption"
            color={job.summary.ok === false ? 'error' : 'text.secondary'}
            sx={{ overflowWrap: 'anywhere' }}
            data-testid="job-summary"
          >
            {describeSummary(job.summary)}
          </Typography>
        )
      )}
      {job.kind === 'import' && <ImportFailureList summary={job.summary} />}
      {job.state === 'failed' && <JobFailure error={job.error} details={job.errorDetails} />}
    </Box>
  );
}

/** Each written report's path on one line with a copy button: a wrapped path cannot be copied or read back reliably. */
function ReportPaths({ summary }: { summary: Record<string, unknown> }) {
  const reports = summary.reports as { format: string; path: string }[];
  return (
    <Stack spacing={0.25} data-testid="job-summary" sx={{ minWidth: 0 }}>
      {reports.map((report) => (
        <Stack key={report.path} direction="row" spacing={0.5} sx={{ alignItems: 'center', minWidth: 0 }}>
          <Typography variant="caption" color="text.secondary" sx={{ flexShrink: 0 }}>
            {report.format.toUpperCase()}:
          </Typography>
          <CopyablePath path={report.path} testId="report-path" singleLine />
        </Stack>
      ))}
      {summary.verificationOk === false && (
        <Typography variant="caption" color="error">
          the case did NOT verify
        </Typography>
      )}
    </Stack>
  );
}

function eta(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return ` · ${Math.ceil(seconds)} s left`;
  return ` · ${Math.ceil(seconds / 60)} min left`;
}

function describeSummary(summary: Record<string, unknown>): string {
  if (typeof summary.itemsChecked === 'number') {
    return summary.ok
      ? `verified: audit chain intact, ${summary.itemsChecked} items and ${summary.outputsChecked} output${summary.outputsChecked === 1 ? '' : 's'} match their hashes`
      : `NOT verified: ${summary.firstBrokenLink}`;
  }
  if (typeof summary.purified === 'number') {
    const earlier = typeof summary.doneEarlier === 'number' && summary.doneEarlier > 0 ? ` (resumed: ${summary.doneEarlier} done before)` : '';
    const warnings = Array.isArray(summary.warnings) && summary.warnings.length > 0 ? ` · ${summary.warnings.length} warning(s): ${summary.warnings[0]}` : '';
    // a run on workers: outputs that failed the checks or tasks the workers failed are not recorded
    const notRecorded = (Number(summary.refused) || 0) + (Number(summary.failed) || 0);
    const missing = notRecorded > 0 ? ` · ${notRecorded} not recorded (refused or failed on the workers; see the audit log)` : '';
    return `${summary.purified} item${summary.purified === 1 ? '' : 's'} purified${earlier}${warnings}${missing}`;
  }
  if (typeof summary.evaluationId === 'string') {
    return `evaluation ${summary.evaluationId}: ${summary.images} images${Array.isArray(summary.plots) && summary.plots.length ? `, plots ${(summary.plots as string[]).join(', ')}` : ''}`;
  }
  if (typeof summary.bundlePath === 'string' && Array.isArray(summary.clusters)) {
    return `bundle written: ${summary.images} images, ${summary.clusters.length} cluster${summary.clusters.length === 1 ? '' : 's'} (${(summary.clusters as string[]).join(', ')})`;
  }
  if (typeof summary.imported === 'number') {
    const scored = typeof summary.classified === 'number' ? `, ${summary.classified} scored by the content filter` : '';
    return `${summary.imported} imported, ${summary.duplicates} duplicates skipped, ${summary.errors} errors${summary.resumed ? ' (resumed)' : ''}${scored}`;
  }
  return Object.entries(summary)
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
}
