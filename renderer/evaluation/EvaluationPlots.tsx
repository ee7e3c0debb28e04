/**
 * A finished evaluation's plots, asked for by evaluation id and plot name over the contract (the
 * workstation reads them from its own evaluations/ folder; no path crosses). accuracy-vs-budget
 * exists only when an attack ran at several budgets; its absence is said, not shown as an error.
 */
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { EvaluationPlot } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';

const TITLES: Record<EvaluationPlot, string> = {
  'accuracy-by-attack': 'Accuracy by attack and defense',
  'accuracy-vs-budget': 'Accuracy against the attack budget',
};

export function EvaluationPlots({ evaluationId, plots }: { evaluationId: string; plots: readonly string[] }) {
  const shown = (Object.keys(TITLES) as EvaluationPlot[]).filter((plot) => plots.includes(plot));
  return (
    <Stack direction="row" spacing={2} sx={{ flexWrap: 'wrap', rowGap: 2, alignItems: 'flex-start' }}>
      {shown.map((plot) => (
        <PlotImage key={plot} evaluationId={evaluationId} plot={plot} />
      ))}
      {!plots.includes('accuracy-vs-budget') && (
        <Typography variant="caption" color="text.secondary" sx={{ maxWidth: 260 }}>
          No accuracy-vs-budget plot: it is drawn when an attack runs at several budgets (e.g. fgsm:0.02,fgsm:0.04).
        </Typography>
      )}
    </Stack>
  );
}

function PlotImage({ evaluationId, plot }: { evaluationId: string; plot: EvaluationPlot }) {
  const client = useClient();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    client.call('evaluation.plot', { evaluationId, plot }).then(
      (image) => current && setUrl(`data:${image.mediaType};base64,${image.base64}`),
      (failure: unknown) => current && setError(messageOf(failure)),
    );
    return () => {
      current = false;
    };
  }, [client, evaluationId, plot]);
  return (
    <Paper variant="outlined" sx={{ p: 0.5, bgcolor: '#fff' }} data-testid="evaluation-plot" data-plot={plot}>
      {url && <img src={url} alt={TITLES[plot]} style={{ display: 'block', maxWidth: 560, width: '100%' }} data-testid="evaluation-plot-image" />}
      {error && (
        <Typography variant="caption" color="error">
          {error}
        </Typography>
      )}
    </Paper>
  );
}
