/**
 * The case's latest verification failed: said above the grid in plain words, with what to do,
 * until a later verification passes. It is read from the case's audit log, so it survives a
 * reload and shows in every window that opens the case.
 */
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Typography from '@mui/material/Typography';
import type { VerificationOutcome } from '../../main/ipc/contract/index.ts';

export function VerificationBanner({ outcome }: { outcome: VerificationOutcome }) {
  const items = outcome.affectedItemIds.length;
  const when = `${outcome.checkedAt.slice(0, 10)} ${outcome.checkedAt.slice(11, 16)} UTC`;
  return (
    <Alert severity="error" variant="filled" data-testid="verification-banner">
      <AlertTitle>This case failed verification</AlertTitle>
      <Typography variant="body2">
        The check run by {outcome.checkedBy} on {when} found {outcome.problemCount === 1 ? 'one problem' : `${outcome.problemCount} problems`}: the case's
        records or files were changed outside this program
        {items > 0 ? `, on ${items === 1 ? 'one item (marked in the grid)' : `${items} items (marked in the grid)`}` : ''}.
      </Typography>
      {outcome.firstProblem && (
        <Typography variant="body2" sx={{ mt: 0.5, wordBreak: 'break-word' }} data-testid="verification-first-problem">
          First problem: {outcome.firstProblem}
        </Typography>
      )}
      <Typography variant="body2" sx={{ mt: 0.5 }}>
        What to do: do not rely on or hand over this case as it is. Leave the case folder untouched, tell whoever is responsible for the evidence, and compare
        it with your last known good copy. Run Verify again after the folder is restored; this warning goes away when a verification passes.
      </Typography>
    </Alert>
  );
}
