/** One cluster's learned dictionary as the job drew it: its atoms in a grid, zero as mid-grey, each atom scaled on its own. */
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import type { JobOutput } from '../../main/ipc/contract/index.ts';

type AtomsOutput = Extract<JobOutput, { type: 'atoms' }>;

/** The PNG is drawn at about 32 px per atom; shown larger, without smoothing. */
const DISPLAY_GAIN = 1.5;

export function AtomGrid({ atoms }: { atoms: AtomsOutput }) {
  return (
    <Paper variant="outlined" sx={{ p: 1 }} data-testid="atom-grid" data-cluster={atoms.clusterId}>
      <Typography variant="subtitle2">{atoms.clusterId}</Typography>
      <Typography variant="caption" color="text.secondary" component="div">
        {atoms.atoms} patterns of {atoms.atomSize}×{atoms.atomSize} px (atoms)
        {atoms.channels === 3 ? ' RGB' : ''} · {atoms.sampleCount} image{atoms.sampleCount === 1 ? '' : 's'}
      </Typography>
      <img
        src={`data:${atoms.png.mediaType};base64,${atoms.png.base64}`}
        width={Math.round(atoms.png.width * DISPLAY_GAIN)}
        height={Math.round(atoms.png.height * DISPLAY_GAIN)}
        alt={`${atoms.atoms} learned atoms of cluster ${atoms.clusterId}`}
        style={{ imageRendering: 'pixelated', display: 'block', marginTop: 4 }}
        data-testid="atom-grid-image"
      />
    </Paper>
  );
}
