/** The content filter's class probabilities on the evidence and on the purified output, side by side per class. */
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { PurificationRunView } from '../../main/ipc/contract/index.ts';
import { useCatalogueNames } from '../common/use-catalogue-names.ts';

export function VerdictBars({ verdicts }: { verdicts: NonNullable<PurificationRunView['verdicts']> }) {
  const classes = Object.keys(verdicts.before).sort();
  const names = useCatalogueNames();
  return (
    <Box data-testid="verdict-bars">
      <Typography variant="subtitle2" title={`model id ${verdicts.modelId}`} data-model-id={verdicts.modelId}>
        {names.model(verdicts.modelId)}: {verdicts.topBefore} before → {verdicts.topAfter} after
      </Typography>
      <Typography variant="caption" color="text.secondary" component="div" gutterBottom>
        Content filter verdicts · model id {verdicts.modelId}
      </Typography>
      <Stack spacing={0.5}>
        {classes.map((name) => (
          <Box
            key={name}
            sx={{ display: 'grid', gridTemplateColumns: '70px 1fr', columnGap: 1, alignItems: 'center' }}
            data-testid="verdict-class"
            data-class={name}
          >
            <Typography variant="caption">{name}</Typography>
            <Stack spacing={0.25}>
              <Bar label="before" value={verdicts.before[name] ?? 0} colour="warning.main" top={name === verdicts.topBefore} />
              <Bar label="after" value={verdicts.after[name] ?? 0} colour="success.main" top={name === verdicts.topAfter} />
            </Stack>
          </Box>
        ))}
      </Stack>
    </Box>
  );
}

function Bar({ label, value, colour, top }: { label: string; value: number; colour: string; top: boolean }) {
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <Box sx={{ flex: 1, height: 8, bgcolor: 'action.hover', borderRadius: 1, overflow: 'hidden' }} title={`${label}: ${(value * 100).toFixed(1)}%`}>
        <Box sx={{ width: `${Math.max(0.5, value * 100)}%`, height: '100%', bgcolor: colour, opacity: top ? 1 : 0.6 }} />
      </Box>
      <Typography variant="caption" color="text.secondary" sx={{ width: 92, fontFamily: 'monospace', fontWeight: top ? 700 : 400 }}>
        {label} {(value * 100).toFixed(1).padStart(5)}%
      </Typography>
    </Stack>
  );
}
