/** The files an import job did not take in, folded under its summary line: file and plain reason. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useState } from 'react';

export interface ListedFailure {
  file: string;
  reason: string;
}

/** The failures of an import job's summary (main/actions/import-evidence-action.ts), read defensively: the summary is plain JSON. */
export function failuresOf(summary: Record<string, unknown> | null): ListedFailure[] {
  const listed = summary?.failures;
  if (!Array.isArray(listed)) return [];
  return listed.filter(
    (entry): entry is ListedFailure => typeof entry === 'object' && entry !== null && typeof entry.file === 'string' && typeof entry.reason === 'string',
  );
}

export function ImportFailureList({ summary }: { summary: Record<string, unknown> | null }) {
  const [open, setOpen] = useState(false);
  const failures = failuresOf(summary);
  if (failures.length === 0) return null;
  const total = typeof summary?.errors === 'number' ? summary.errors : failures.length;
  return (
    <Box data-testid="job-import-failures">
      <Button size="small" color="warning" onClick={() => setOpen(!open)} aria-expanded={open} sx={{ px: 0 }}>
        {open ? '▾' : '▸'} {total} file{total === 1 ? '' : 's'} not imported
      </Button>
      {open && (
        <Box component="ul" sx={{ m: 0, pl: 2 }}>
          {failures.map((failure) => (
            <Typography
              component="li"
              variant="caption"
              key={failure.file}
              sx={{ display: 'list-item', overflowWrap: 'anywhere' }}
              data-testid="job-import-failure"
            >
              {baseName(failure.file)}: {failure.reason}
            </Typography>
          ))}
          {total > failures.length && (
            <Typography component="li" variant="caption" color="text.secondary" sx={{ display: 'list-item' }}>
              and {total - failures.length} more (the case's list of files not imported has them all)
            </Typography>
          )}
        </Box>
      )}
    </Box>
  );
}

/** The last part of a path, which is what tells files apart in a narrow panel; the full path is in the case's list. */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path;
}
