/** `acsr eval` in the app: the evaluation form, the evaluation shown (live), and the workspace's past evaluations with Resume. */
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useState } from 'react';
import type { AppState, JobSnapshot, PastEvaluation } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { EvaluationForm } from './EvaluationForm.tsx';
import { EvaluationRun } from './EvaluationRun.tsx';
import { PastEvaluations } from './PastEvaluations.tsx';

export function EvaluationScreen({ state, jobs }: { state: AppState; jobs: JobSnapshot[] }) {
  const client = useClient();
  const { reportError } = useNotices();
  const [shownJobId, setShownJobId] = useState<number | null>(null);
  const [past, setPast] = useState<PastEvaluation[] | null>(null);
  const [pastError, setPastError] = useState<string | null>(null);
  const evalJobs = jobs.filter((job) => job.kind === 'eval');
  const shown = evalJobs.find((job) => job.jobId === shownJobId) ?? evalJobs[0] ?? null;
  // The list is read again whenever an evaluation job starts, stops or finishes.
  const jobStates = evalJobs.map((job) => `${job.jobId}:${job.state}`).join(',');
  useEffect(() => {
    let current = true;
    client.call('evaluation.list', {}).then(
      (listed) => {
        if (!current) return;
        setPast(listed);
        setPastError(null);
      },
      (failure: unknown) => current && setPastError(messageOf(failure)),
    );
    return () => {
      current = false;
    };
  }, [client, jobStates]);
  const resume = useCallback(
    (evaluationId: string) => {
      client.call('evaluation.resume', { evaluationId }).then((job) => setShownJobId(job.jobId), reportError);
    },
    [client, reportError],
  );
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
        <Stack spacing={2} sx={{ flex: 1, minWidth: 0 }}>
          {shown ? (
            <EvaluationRun key={shown.jobId} job={shown} past={past?.find((entry) => entry.jobId === shown.jobId) ?? null} onResume={resume} />
          ) : (
            <Typography variant="body2" color="text.secondary" sx={{ p: 2 }}>
              No evaluation yet: its accuracy table fills in here as it runs, and its plots appear when it is done.
            </Typography>
          )}
          <PastEvaluations evaluations={past} error={pastError} onResume={resume} />
        </Stack>
      </Stack>
    </Stack>
  );
}
