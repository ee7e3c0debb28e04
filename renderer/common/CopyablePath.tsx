/** A folder the person may want to open: shown with a copy button (a browser page cannot open folders). */
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState } from 'react';

/** singleLine: one line that scrolls sideways (a report's path in the narrow jobs panel), never wrapped mid-word. */
export function CopyablePath({ path, testId, singleLine = false }: { path: string; testId: string; singleLine?: boolean }) {
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard?.writeText(path).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', minWidth: 0 }}>
      <Typography
        variant={singleLine ? 'caption' : 'body2'}
        title={path}
        sx={
          singleLine
            ? { fontFamily: 'monospace', whiteSpace: 'nowrap', overflowX: 'auto', minWidth: 0, flex: 1, userSelect: 'all' }
            : { fontFamily: 'monospace', wordBreak: 'break-all' }
        }
        data-testid={testId}
      >
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
