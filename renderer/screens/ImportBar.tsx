/**
 * Import into the open case: a native folder dialog in Electron; in the browser a typed path
 * (`~/...` is the home folder) or the workstation's folder browser (a web page cannot learn real
 * paths from a file picker). Either way the import runs as a job; its progress shows in the jobs
 * panel.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import type { AppState } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { FolderBrowserDialog } from '../common/FolderBrowserDialog.tsx';

export function ImportBar({ caseId, state }: { caseId: string; state: AppState }) {
  const client = useClient();
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [browsing, setBrowsing] = useState(false);

  const start = async (source: string) => {
    setError(null);
    try {
      await client.call('jobs.start', { kind: 'import', caseId, sources: [source] });
      setPath('');
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void start(path.trim());
  };
  const choose = async () => {
    try {
      const chosen = await client.call('dialog.chooseFolder', { title: 'Folder of evidence images to import' });
      if (chosen.path) await start(chosen.path);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  return (
    <Stack spacing={1} sx={{ flex: 1, minWidth: 320 }}>
      {state.nativeFolderDialog ? (
        <Button variant="contained" onClick={() => void choose()} sx={{ alignSelf: 'flex-start' }}>
          Import folder…
        </Button>
      ) : (
        <Stack direction="row" spacing={1} component="form" onSubmit={submit}>
          <TextField
            size="small"
            label="Folder to import (full path or ~/…)"
            value={path}
            onChange={(event) => setPath(event.target.value)}
            sx={{ flex: 1 }}
            slotProps={{ htmlInput: { 'data-testid': 'import-path', spellCheck: false } }}
          />
          <Button variant="outlined" onClick={() => setBrowsing(true)} data-testid="import-browse">
            Browse…
          </Button>
          <Button type="submit" variant="contained" disabled={!path.trim()}>
            Import
          </Button>
          <FolderBrowserDialog
            open={browsing}
            title="Folder of evidence images to import"
            start={path}
            chooseLabel="Import this folder"
            onClose={() => setBrowsing(false)}
            onChoose={(chosen) => {
              setBrowsing(false);
              void start(chosen);
            }}
          />
        </Stack>
      )}
      {error && (
        <Alert severity="error" onClose={() => setError(null)} data-testid="import-error">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
