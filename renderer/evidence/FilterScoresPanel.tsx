/** The item view's content filter section: every class's score as a bar, the filter by name, its id and weights hash on demand. */
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { EvidenceDetail } from '../../main/ipc/contract/index.ts';
import { percent } from './filter-score-text.ts';

export function FilterScoresPanel({ detail }: { detail: EvidenceDetail }) {
  const scores = detail.filterScores;
  const by = detail.filterScoresBy;
  return (
    <Box data-testid="item-filter-scores">
      <Typography variant="subtitle2" gutterBottom>
        Content filter
      </Typography>
      {!scores || !by ? (
        <Typography variant="body2" color="text.secondary">
          Not scored yet.
        </Typography>
      ) : (
        <>
          <Stack spacing={0.5}>
            {Object.entries(scores)
              .sort((a, b) => b[1] - a[1])
              .map(([className, probability]) => (
                <Stack key={className} direction="row" spacing={1} sx={{ alignItems: 'center' }} data-testid="item-filter-score">
                  <Typography variant="body2" sx={{ width: 80, flexShrink: 0 }}>
                    {className}
                  </Typography>
                  <LinearProgress
                    variant="determinate"
                    value={probability * 100}
                    sx={{ flex: 1, height: 8, borderRadius: 1 }}
                    aria-label={`${className} score`}
                  />
                  <Typography variant="body2" sx={{ width: 44, textAlign: 'right', flexShrink: 0 }}>
                    {percent(probability)}
                  </Typography>
                </Stack>
              ))}
          </Stack>
          <Tooltip title={`Model ${by.modelId}; weights SHA-256 ${by.weightsSha256}`}>
            <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 0.5 }}>
              {by.name}, {by.atImport ? 'scored at import' : 'scored before purification'} on {new Date(by.scoredAt).toLocaleString()}
            </Typography>
          </Tooltip>
        </>
      )}
    </Box>
  );
}
