/** A folder the person may want to open: shown with a copy button (a browser page cannot open folders). */
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState } from 'react';

export function CopyablePath({ path, testId }: { path: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard?.writeText(path).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
      <Typography variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }} data-testid={testId}>
        {path}
      </Typography>
      <Tooltip title="Copy the path to open the folder in a file manager">
        <Button size="small" onClick={() => void copy()} data-testid={`${testId}-copy`}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </Tooltip>
    </Stack>
  );
}
