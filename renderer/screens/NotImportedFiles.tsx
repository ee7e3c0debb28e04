/**
 * The case's files not imported: a button on the case screen (shown once an import met a file it
 * could not take in) that opens the whole list, every import of the case, with the plain reason
 * and the recorded detail. Refreshed when an import of the case finishes.
 */
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import { useEffect, useMemo, useState } from 'react';
import type { ImportFailure, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';

export function NotImportedFiles({ caseId, jobs }: { caseId: string; jobs: JobSnapshot[] }) {
  const client = useClient();
  const { reportError } = useNotices();
  const [failures, setFailures] = useState<ImportFailure[]>([]);
  const [open, setOpen] = useState(false);
  // Changes whenever an import of this case finishes, which is when the list can grow.
  const importsFinished = useMemo(
    () =>
      jobs
        .filter((job) => job.caseId === caseId && job.kind === 'import' && job.finishedAt !== null)
        .map((job) => job.jobId)
        .join(','),
    [jobs, caseId],
  );
  useEffect(() => {
    client.call('cases.importFailures', { caseId }).then(setFailures, reportError);
  }, [client, caseId, importsFinished, reportError]);
  if (failures.length === 0) return null;
  return (
    <>
      <Button size="small" color="warning" variant="outlined" onClick={() => setOpen(true)} data-testid="not-imported-button">
        {failures.length} file{failures.length === 1 ? '' : 's'} not imported
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} maxWidth="md" fullWidth data-testid="not-imported">
        <DialogTitle>Files not imported into this case</DialogTitle>
        <DialogContent>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>File</TableCell>
                <TableCell>Why</TableCell>
                <TableCell>Import</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {failures.map((failure, index) => (
                <TableRow key={`${failure.caseJobId}:${index}`} data-testid="not-imported-row">
                  <TableCell sx={{ overflowWrap: 'anywhere', fontFamily: 'monospace', fontSize: 12 }}>{failure.file}</TableCell>
                  <TableCell>
                    <Tooltip title={failure.detail}>
                      <span>{failure.reason}</span>
                    </Tooltip>
                  </TableCell>
                  <TableCell>{failure.caseJobId}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Close</Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
