/** `acsr eval` in the app: the evaluation form and the latest evaluation job, live. */
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { AppState, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { EvaluationForm } from './EvaluationForm.tsx';
import { EvaluationRun } from './EvaluationRun.tsx';

export function EvaluationScreen({ state, jobs }: { state: AppState; jobs: JobSnapshot[] }) {
  const [shownJobId, setShownJobId] = useState<number | null>(null);
  const evalJobs = jobs.filter((job) => job.kind === 'eval');
  const shown = evalJobs.find((job) => job.jobId === shownJobId) ?? evalJobs[0] ?? null;
  return (
    <Stack spacing={2} sx={{ p: 2, overflow: 'auto', flex: 1 }} data-testid="evaluation-screen">
      <Typography variant="h6">Evaluate defenses</Typography>
      <Typography variant="body2" color="text.secondary">
        Each labelled image is attacked (against the undefended classifier), then every defense is applied to the clean and the attacked image and the
        classifier is asked again: accuracy per attack and defense, with 95 % intervals. The same machinery as acsr eval; results go to the workspace's
        evaluations folder.
      </Typography>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
        <Box sx={{ width: 400, flexShrink: 0 }}>
          <EvaluationForm state={state} onStarted={(job) => setShownJobId(job.jobId)} />
        </Box>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          {shown ? (
            <EvaluationRun key={shown.jobId} job={shown} />
          ) : (
            <Typography variant="body2" color="text.secondary" sx={{ p: 2 }}>
              No evaluation yet: its accuracy table fills in here as it runs, and its plots appear when it is done.
            </Typography>
          )}
        </Box>
      </Stack>
    </Stack>
  );
}
