/**
 * The workspace's past evaluations, newest first: when, on what data, with which classifier and
 * bundle (by their names), whether complete, running or stopped; each opens to its accuracy
 * table, its plots and its folder, and a stopped one can be resumed in its own folder.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { PastEvaluation } from '../../main/ipc/contract/index.ts';
import { CopyablePath } from '../common/CopyablePath.tsx';
import { AccuracyTable } from './AccuracyTable.tsx';
import { EvaluationPlots } from './EvaluationPlots.tsx';

const STATUS_WORDS: Record<PastEvaluation['status'], { label: string; color: 'success' | 'info' | 'warning' }> = {
  complete: { label: 'complete', color: 'success' },
  running: { label: 'running', color: 'info' },
  stopped: { label: 'stopped before the end', color: 'warning' },
};

export function PastEvaluations({
  evaluations,
  error,
  onResume,
}: {
  evaluations: PastEvaluation[] | null;
  error: string | null;
  onResume: (evaluationId: string) => void;
}) {
  return (
    <Stack spacing={1} data-testid="past-evaluations">
      <Typography variant="subtitle1">Past evaluations</Typography>
      {error && <Alert severity="error">{error}</Alert>}
      {evaluations?.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          None yet: each evaluation run here stays in the workspace's evaluations folder and is listed here.
        </Typography>
      )}
      {evaluations?.map((evaluation) => (
        <PastEvaluationRow key={evaluation.evaluationId} evaluation={evaluation} onResume={onResume} />
      ))}
    </Stack>
  );
}

function PastEvaluationRow({ evaluation, onResume }: { evaluation: PastEvaluation; onResume: (evaluationId: string) => void }) {
  const [open, setOpen] = useState(false);
  const status = STATUS_WORDS[evaluation.status];
  const when = evaluation.startedAt ?? evaluation.updatedAt;
  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="past-evaluation" data-evaluation-id={evaluation.evaluationId} data-status={evaluation.status}>
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Typography variant="body2" sx={{ fontWeight: 600 }}>
          {when ? new Date(when).toLocaleString() : 'date unknown'}
        </Typography>
        <Chip size="small" label={status.label} color={status.color} variant="outlined" data-testid="past-evaluation-status" />
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1, minWidth: 200 }}>
          {evaluation.dataset}
        </Typography>
        {evaluation.status === 'stopped' && evaluation.cannotResume === null && (
          <Button size="small" variant="contained" onClick={() => onResume(evaluation.evaluationId)} data-testid="past-evaluation-resume">
            Resume
          </Button>
        )}
        <Button size="small" onClick={() => setOpen(!open)} data-testid="past-evaluation-open" aria-expanded={open}>
          {open ? 'Hide results' : 'Show results'}
        </Button>
      </Stack>
      <Typography variant="caption" color="text.secondary" component="div">
        {evaluation.model ? `Classifier: ${evaluation.model.label}` : 'Classifier unknown'}
        {evaluation.bundle ? ` · Bundle: ${evaluation.bundle}` : ''} · Attacks: {evaluation.attacks.length ? evaluation.attacks.join(', ') : 'none'} · Defenses:{' '}
        {evaluation.defenses.join(', ')}
      </Typography>
      {evaluation.cannotResume && (
        <Typography variant="caption" color="text.secondary" component="div">
          Cannot be resumed here: {evaluation.cannotResume}
        </Typography>
      )}
      {open && (
        <Stack spacing={1.5} sx={{ mt: 1.5 }} data-testid="past-evaluation-details">
          {evaluation.table ? (
            <Box>
              <Typography variant="subtitle2" gutterBottom>
                Accuracy{evaluation.table.complete ? ` on ${evaluation.table.imageCount} images` : ' so far (each cell says how many images it rests on)'}, 95 %
                Wilson intervals
              </Typography>
              <AccuracyTable table={evaluation.table} />
            </Box>
          ) : (
            <Typography variant="body2" color="text.secondary">
              No unit finished yet, so there is no table.
            </Typography>
          )}
          {evaluation.status === 'complete' && <EvaluationPlots evaluationId={evaluation.evaluationId} plots={evaluation.plots} />}
          <Box>
            <Typography variant="body2">results.json, results.md, the plots and the journal are in:</Typography>
            <CopyablePath path={evaluation.folder} testId="past-evaluation-path" />
          </Box>
        </Stack>
      )}
    </Paper>
  );
}
