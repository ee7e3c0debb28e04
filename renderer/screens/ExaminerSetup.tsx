/** First run: who is at the keyboard. The name goes into every audit-log entry. */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent } from 'react';
import type { AppState } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';

export function ExaminerSetup({ onDone }: { onDone: (state: AppState) => void }) {
  const client = useClient();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    client.call('app.setExaminer', { name }).then(onDone, (failure: unknown) => {
      setError(messageOf(failure));
      setBusy(false);
    });
  };

  return (
    <Stack sx={{ alignItems: 'center', justifyContent: 'center', flex: 1 }}>
      <Card sx={{ width: 460 }} component="form" onSubmit={submit}>
        <CardContent>
          <Stack spacing={2}>
            <Typography variant="h5">Who is examining?</Typography>
            <Typography variant="body2" color="text.secondary">
              Your name is recorded with every action you take (imports, tags, purifications, reports) in each case's tamper-evident audit log.
            </Typography>
            <TextField
              label="Examiner name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              autoFocus
              required
              slotProps={{ htmlInput: { 'data-testid': 'examiner-name' } }}
            />
            {error && <Alert severity="error">{error}</Alert>}
            <Button type="submit" variant="contained" disabled={busy || !name.trim()}>
              Continue
            </Button>
          </Stack>
        </CardContent>
      </Card>
    </Stack>
  );
}
