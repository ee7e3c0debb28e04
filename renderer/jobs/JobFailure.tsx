import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { useState } from 'react';

/** Why a job failed; when it was the workstation's fault, the technical line a bug report needs is one click away. */
export function JobFailure({ error, details }: { error: string | null; details: string | null }) {
  const [shown, setShown] = useState(false);
  return (
    <Alert
      severity="error"
      sx={{ mt: 0.5 }}
      data-testid="job-error"
      action={
        details && !shown ? (
          <Button color="inherit" size="small" onClick={() => setShown(true)}>
            Details
          </Button>
        ) : undefined
      }
    >
      {error}
      {details && shown && (
        <Box component="pre" sx={{ m: 0, mt: 1, fontSize: '0.75rem', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="job-error-details">
          {details}
        </Box>
      )}
    </Alert>
  );
}
