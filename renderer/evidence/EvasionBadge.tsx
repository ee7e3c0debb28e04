/** The grid tile's mark for an item whose latest purification scored above the evasion threshold. */
import Chip from '@mui/material/Chip';
import type { EvidenceSummary } from '../../main/ipc/contract/index.ts';

export function EvasionBadge({ evasion, compact }: { evasion: EvidenceSummary['evasion']; compact: boolean }) {
  if (!evasion?.suspected) return null;
  return (
    <Chip
      size="small"
      color="warning"
      label={compact ? 'evasion?' : 'suspected evasion'}
      title={`Evasion score ${evasion.score.toFixed(2)} (threshold ${evasion.threshold.toFixed(2)}): this image was probably altered to fool the content filter. Open it to see why.`}
      data-testid="evasion-badge"
      sx={{ fontSize: '0.65rem', height: 18, fontWeight: 700, maxWidth: '100%' }}
    />
  );
}
