/**
 * "Run on workers" in the purify dialog: shown only when the workspace has a worker queue, with
 * how many workers are connected when the queue can tell. Workers run no content filter: this
 * workstation scores each accepted output itself.
 */
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { WorkerQueueStatus } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { describeWorkerQueue } from '../workers/worker-queue-words.ts';

export function RunOnWorkersChoice({ checked, onChange }: { checked: boolean; onChange: (onWorkers: boolean) => void }) {
  const client = useClient();
  const [status, setStatus] = useState<WorkerQueueStatus | null>(null);
  useEffect(() => {
    // no queue, or none that can be asked: the dialog simply purifies here
    client.call('workers.status', {}).then(setStatus, () => setStatus(null));
  }, [client]);
  if (!status?.setting) return null;
  return (
    <Box data-testid="run-on-workers">
      <FormControlLabel
        control={<Switch checked={checked} onChange={(event) => onChange(event.target.checked)} slotProps={{ input: { 'aria-label': 'Run on workers' } }} />}
        label="Run on workers"
      />
      <Typography variant="caption" color="text.secondary" component="div" data-testid="workers-connected">
        {describeWorkerQueue(status)}
        {checked ? ' Each output is checked here before it is recorded, and the content filter’s verdicts are computed here.' : ''}
      </Typography>
    </Box>
  );
}
