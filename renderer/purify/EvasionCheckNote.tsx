/** Whether purifying with this bundle also tells which images were probably made to fool the filter. */
import Typography from '@mui/material/Typography';
import type { BundleChoice } from '../../main/ipc/contract/index.ts';

export function EvasionCheckNote({ bundle }: { bundle: BundleChoice }) {
  return (
    <Typography variant="caption" color="text.secondary" data-testid="evasion-check-note" data-evasion-check={bundle.evasionCheck ? 'yes' : 'no'}>
      {bundle.evasionCheck
        ? `Evasion check: each item gets a score for whether it was made to fool the filter (the threshold flags about ${Math.round(bundle.evasionCheck.falsePositiveTarget * 100)}% of ordinary images).`
        : 'No evasion check for this bundle: it was not calibrated to tell whether an image was made to fool the filter.'}
    </Typography>
  );
}
