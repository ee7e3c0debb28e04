/** Case-wide actions, each a job in the jobs panel: verify the case, export its audit report. */
import Button from '@mui/material/Button';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import { useState } from 'react';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';

type Format = 'html' | 'pdf' | 'json';
const EXPORTS: { label: string; formats: Format[] }[] = [
  { label: 'HTML', formats: ['html'] },
  { label: 'PDF', formats: ['pdf'] },
  { label: 'JSON (machine-readable)', formats: ['json'] },
  { label: 'All three', formats: ['html', 'pdf', 'json'] },
];

export function CaseActions({ caseId, blurByDefault }: { caseId: string; blurByDefault: boolean }) {
  const client = useClient();
  const { reportError } = useNotices();
  const [menuAnchor, setMenuAnchor] = useState<HTMLElement | null>(null);

  const exportReport = (formats: Format[]) => {
    setMenuAnchor(null);
    client.call('jobs.start', { kind: 'report', caseId, formats, blurThumbnails: blurByDefault }).catch(reportError);
  };

  return (
    <Stack direction="row" spacing={1}>
      <Button variant="outlined" size="small" onClick={() => client.call('jobs.start', { kind: 'verify', caseId }).catch(reportError)}>
        Verify case
      </Button>
      <Button variant="outlined" size="small" onClick={(event) => setMenuAnchor(event.currentTarget)}>
        Export report
      </Button>
      <Menu anchorEl={menuAnchor} open={menuAnchor !== null} onClose={() => setMenuAnchor(null)}>
        {EXPORTS.map((choice) => (
          <MenuItem key={choice.label} onClick={() => exportReport(choice.formats)}>
            {choice.label}
          </MenuItem>
        ))}
      </Menu>
    </Stack>
  );
}
