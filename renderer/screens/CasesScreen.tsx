/** Cases of the workspace: open one, or create one. */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CaseSummary } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';

export function CasesScreen({ onOpen }: { onOpen: (summary: CaseSummary) => void }) {
  const client = useClient();
  const [cases, setCases] = useState<CaseSummary[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.call('cases.list', {}).then(setCases, (error: unknown) => setListError(messageOf(error)));
  }, [client]);
  useEffect(load, [load]);

  return (
    <Box sx={{ p: 3, overflow: 'auto', display: 'flex', gap: 3, alignItems: 'flex-start', flexWrap: 'wrap' }}>
      <Card sx={{ flex: '2 1 520px' }}>
        <CardContent>
          <Typography variant="h6" gutterBottom>
            Cases
          </Typography>
          {listError && <Alert severity="error">{listError}</Alert>}
          {cases && cases.length === 0 && <Typography color="text.secondary">No cases yet. Create the first one.</Typography>}
          {cases && cases.length > 0 && (
            <Box sx={{ overflowX: 'auto' }}>
              <Table size="small" data-testid="cases-table">
                <TableHead>
                  <TableRow>
                    <TableCell>Number</TableCell>
                    <TableCell>Title</TableCell>
                    <TableCell>Requester</TableCell>
                    <TableCell align="right">Items</TableCell>
                    <TableCell>Created</TableCell>
                    <TableCell>By</TableCell>
                    <TableCell />
                  </TableRow>
                </TableHead>
                <TableBody>
                  {cases.map((summary) => (
                    <TableRow key={summary.caseId} hover>
                      <TableCell>{summary.number}</TableCell>
                      <TableCell>{summary.title}</TableCell>
                      <TableCell>{summary.requester ?? '—'}</TableCell>
                      <TableCell align="right">{summary.itemCount}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{summary.createdAt.slice(0, 10)}</TableCell>
                      <TableCell>{summary.createdBy}</TableCell>
                      <TableCell>
                        <Button size="small" onClick={() => onOpen(summary)}>
                          Open
                        </Button>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
        </CardContent>
      </Card>
      <NewCaseForm onCreated={onOpen} />
    </Box>
  );
}

function NewCaseForm({ onCreated }: { onCreated: (summary: CaseSummary) => void }) {
  const client = useClient();
  const [number, setNumber] = useState('');
  const [title, setTitle] = useState('');
  const [requester, setRequester] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    client.call('cases.create', { number, title, ...(requester.trim() ? { requester } : {}) }).then(onCreated, (failure: unknown) => {
      setError(messageOf(failure));
      setBusy(false);
    });
  };

  return (
    <Card sx={{ flex: '1 1 320px' }} component="form" onSubmit={submit}>
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6">New case</Typography>
          <TextField
            label="Case number"
            value={number}
            onChange={(event) => setNumber(event.target.value)}
            required
            size="small"
            slotProps={{ htmlInput: { 'data-testid': 'case-number' } }}
          />
          <TextField
            label="Title"
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            size="small"
            slotProps={{ htmlInput: { 'data-testid': 'case-title' } }}
          />
          <TextField label="Requester" value={requester} onChange={(event) => setRequester(event.target.value)} size="small" />
          {error && <Alert severity="error">{error}</Alert>}
          <Button type="submit" variant="contained" disabled={busy || !number.trim()}>
            Create case
          </Button>
        </Stack>
      </CardContent>
    </Card>
  );
}
