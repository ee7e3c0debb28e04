/**
 * The workspace's worker queue, set from the top bar: the Redis that `acsr worker` processes
 * take purification tasks from, and the folder they mount as their shared location. The main
 * side validates both (a redis:// address with a host and a port; an existing folder) and
 * answers whether the queue responds and how many workers it has.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { AppState, WorkerQueueStatus } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { FolderField } from '../common/FolderField.tsx';
import { describeWorkerQueue } from './worker-queue-words.ts';

export function WorkerQueueButton({ state }: { state: AppState }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button color="inherit" onClick={() => setOpen(true)} sx={{ textTransform: 'none' }} data-testid="workers-button">
        Workers
      </Button>
      {open && <WorkerQueueDialog state={state} onClose={() => setOpen(false)} />}
    </>
  );
}

function WorkerQueueDialog({ state, onClose }: { state: AppState; onClose: () => void }) {
  const client = useClient();
  const [status, setStatus] = useState<WorkerQueueStatus | null>(null);
  const [address, setAddress] = useState('');
  const [sharedFolder, setSharedFolder] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    client.call('workers.status', {}).then(
      (loaded) => {
        setStatus(loaded);
        setAddress(loaded.setting?.address ?? '');
        setSharedFolder(loaded.setting?.sharedFolder ?? '');
      },
      (failure: unknown) => setError(messageOf(failure)),
    );
  }, [client]);

  const save = async (setting: { address: string; sharedFolder: string } | null) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await client.call('workers.setQueue', { setting }));
      if (!setting) {
        setAddress('');
        setSharedFolder('');
      }
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth data-testid="worker-queue-dialog">
      <DialogTitle>Worker queue</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={2}>
          <Typography variant="body2" color="text.secondary">
            Workers (acsr worker, on any machine) take purification tasks from a Redis queue and read the evidence from a shared folder. This workstation checks
            every output they return before it records it in the case.
          </Typography>
          {error && (
            <Alert severity="error" data-testid="worker-queue-error">
              {error}
            </Alert>
          )}
          <TextField
            size="small"
            label="Queue (redis://HOST:PORT)"
            value={address}
            onChange={(event) => setAddress(event.target.value)}
            disabled={!status || busy}
            slotProps={{ htmlInput: { 'data-testid': 'queue-address', spellCheck: false } }}
          />
          <FolderField
            state={state}
            label="Shared folder the workers mount"
            dialogTitle="The workers' shared folder"
            value={sharedFolder}
            onChange={setSharedFolder}
            testId="queue-shared-folder"
            disabled={!status || busy}
          />
          {status && (
            <Alert severity={status.setting && !status.reachable ? 'warning' : 'info'} data-testid="worker-queue-status">
              {describeWorkerQueue(status)}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        {status?.setting && (
          <Button color="warning" onClick={() => void save(null)} disabled={busy}>
            Remove queue
          </Button>
        )}
        <Button onClick={onClose}>Close</Button>
        <Button
          variant="contained"
          onClick={() => void save({ address: address.trim(), sharedFolder: sharedFolder.trim() })}
          disabled={busy || !address || !sharedFolder}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
