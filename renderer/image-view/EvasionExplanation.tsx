/**
 * "Was this image made to fool the filter?" for one purification run: the evasion score against
 * its threshold, and which signals pushed it up and by how much, in plain words with the numbers.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { RunEvasion } from '../../main/ipc/contract/index.ts';
import { percent, signalSentence, signalsByWeight, weightWords } from './evasion-words.ts';

export function EvasionExplanation({ evasion }: { evasion: RunEvasion | null }) {
  if (!evasion) {
    return (
      <Typography variant="body2" color="text.secondary" data-testid="evasion-none">
        No evasion check for this bundle: it was not calibrated to tell whether an image was made to fool the filter.
      </Typography>
    );
  }
  const { fired, others } = signalsByWeight(evasion);
  return (
    <Box data-testid="evasion-explanation" data-suspected={evasion.suspected}>
      <Alert severity={evasion.suspected ? 'warning' : 'success'} icon={false} sx={{ py: 0.5 }}>
        <Typography variant="subtitle2">{evasion.suspected ? 'Suspected evasion' : 'No sign of evasion'}</Typography>
        <Typography variant="body2" data-testid="evasion-score-line">
          Evasion score {evasion.score.toFixed(2)}, threshold {evasion.threshold.toFixed(2)}:{' '}
          {evasion.suspected ? 'this image was probably altered to fool the content filter.' : 'this image looks like an ordinary one.'} The threshold flags
          about {percent(evasion.falsePositiveTarget)} of ordinary images.
        </Typography>
      </Alert>
      {fired.length > 0 && (
        <>
          <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 1 }}>
            What pointed to evasion
          </Typography>
          <SignalList signals={fired} testId="evasion-fired" />
        </>
      )}
      <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 1 }}>
        {fired.length > 0 ? 'The other signals' : 'No signal pointed clearly to evasion'}
      </Typography>
      <SignalList signals={others} testId="evasion-other" />
      {evasion.settingsDiffer && (
        <Typography variant="caption" color="warning.main" sx={{ display: 'block', mt: 0.5 }}>
          This run used other purification settings than the score was calibrated with, so the threshold may flag more or fewer ordinary images.
        </Typography>
      )}
      <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 0.5 }}>
        The number after each signal is how far it pushed the score (+1 roughly triples the odds that the image was altered). Checked with{' '}
        {evasion.classifierId}.
      </Typography>
    </Box>
  );
}

function SignalList({ signals, testId }: { signals: RunEvasion['signals']; testId: string }) {
  return (
    <Stack component="ul" spacing={0.25} sx={{ m: 0, pl: 2.5 }} data-testid={testId}>
      {signals.map((signal) => (
        <Typography component="li" variant="body2" key={signal.name} data-signal={signal.name}>
          {signalSentence(signal)}{' '}
          <Typography component="span" variant="caption" color="text.secondary">
            ({weightWords(signal.contribution)}, {signal.contribution >= 0 ? '+' : '−'}
            {Math.abs(signal.contribution).toFixed(2)})
          </Typography>
        </Typography>
      ))}
    </Stack>
  );
}
