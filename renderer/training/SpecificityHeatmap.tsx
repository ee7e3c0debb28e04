/**
 * The bundle's specificity check as the job drew it: held-out images' reconstruction objective with
 * every cluster's dictionary (rows: the image's own cluster, columns: the dictionary), and how often
 * the own cluster's dictionary was the best one.
 */
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import type { JobOutput } from '../../main/ipc/contract/index.ts';

type SpecificityOutput = Extract<JobOutput, { type: 'specificity' }>;

const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(100 * value)} %`);

export function SpecificityHeatmap({ check }: { check: SpecificityOutput }) {
  return (
    <Paper variant="outlined" sx={{ p: 1, display: 'inline-block' }} data-testid="specificity-heatmap">
      <Typography variant="caption" color="text.secondary" component="div" data-testid="specificity-summary">
        {check.images} held-out images: own cluster&apos;s dictionary best for {percent(check.ownClusterBestShare)} (chance {percent(check.chanceCluster)}), own
        class&apos;s for {percent(check.ownClassBestShare)}
      </Typography>
      <img
        src={`data:${check.png.mediaType};base64,${check.png.base64}`}
        alt="Mean reconstruction objective of held-out images of each cluster with every cluster's dictionary"
        style={{ display: 'block', marginTop: 4, maxWidth: '100%' }}
      />
    </Paper>
  );
}
