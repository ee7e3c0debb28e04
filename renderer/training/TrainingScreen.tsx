/** Stage i in the app: the training form and the latest training job, live. */
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { AppState, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { TrainingForm } from './TrainingForm.tsx';
import { TrainingRun } from './TrainingRun.tsx';

export function TrainingScreen({ state, jobs }: { state: AppState; jobs: JobSnapshot[] }) {
  const [shownJobId, setShownJobId] = useState<number | null>(null);
  const trainJobs = jobs.filter((job) => job.kind === 'train');
  // The job just started, else the latest one (jobs come newest first).
  const shown = trainJobs.find((job) => job.jobId === shownJobId) ?? trainJobs[0] ?? null;
  return (
    <Stack spacing={2} sx={{ p: 2, overflow: 'auto', flex: 1 }} data-testid="training-screen">
      <Typography variant="h6">Train a reference bundle</Typography>
      <Typography variant="body2" color="text.secondary">
        Stage i of ACSR: the extractor's latents of every labelled image are clustered per class (k-means++, k by the elbow of the WCSS curve or fixed), and a
        convolutional dictionary is learned per cluster from the high-frequency parts of its images. The bundle goes to the workspace's bundles folder.
      </Typography>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
        <Box sx={{ width: 400, flexShrink: 0 }}>
          <TrainingForm state={state} onStarted={(job) => setShownJobId(job.jobId)} />
        </Box>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          {shown ? (
            <TrainingRun key={shown.jobId} job={shown} />
          ) : (
            <Typography variant="body2" color="text.secondary" sx={{ p: 2 }}>
              No training yet: its stages, elbow curves and learned atoms appear here as they arrive.
            </Typography>
          )}
        </Box>
      </Stack>
    </Stack>
  );
}
