/**
 * Purify the selected items as one job: the investigator picks a reference bundle (the shipped
 * default or one trained in this workspace, offered by the workstation by id: the renderer never
 * names a folder) and the content filter whose verdicts before and after are recorded.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { RequestOutput } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { PurifyEstimate } from './PurifyEstimate.tsx';
import { RunOnWorkersChoice } from './RunOnWorkersChoice.tsx';
import { EvasionCheckNote } from './EvasionCheckNote.tsx';

type Choices = RequestOutput<'purification.choices'>;
const NO_CLASSIFIER = '__none__';

interface PurifyDialogProps {
  caseId: string;
  itemIds: number[];
  onClose: () => void;
}

export function PurifyDialog({ caseId, itemIds, onClose }: PurifyDialogProps) {
  const client = useClient();
  const { inform } = useNotices();
  const [choices, setChoices] = useState<Choices | null>(null);
  const [bundleId, setBundleId] = useState('');
  const [classifierId, setClassifierId] = useState(NO_CLASSIFIER);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [onWorkers, setOnWorkers] = useState(false);

  useEffect(() => {
    client.call('purification.choices', {}).then(
      (loaded) => {
        setChoices(loaded);
        setBundleId(loaded.defaultBundleId ?? '');
        setClassifierId(loaded.defaultClassifierId ?? NO_CLASSIFIER);
      },
      (failure: unknown) => setError(messageOf(failure)),
    );
  }, [client]);

  const bundle = choices?.bundles.find((candidate) => candidate.bundleId === bundleId);
  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      const where = { ...(onWorkers ? { onWorkers } : {}), classifierId: classifierId === NO_CLASSIFIER ? null : classifierId };
      await client.call('jobs.start', { kind: 'purify', caseId, itemIds, bundleId, ...where });
      inform(`Purification of ${itemIds.length === 1 ? 'one item' : `${itemIds.length} items`} queued: see the jobs panel`, 'info');
      onClose();
    } catch (failure) {
      setError(messageOf(failure));
      setStarting(false);
    }
  };

  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth data-testid="purify-dialog">
      <DialogTitle>Purify {itemIds.length === 1 ? `item #${itemIds[0]}` : `${itemIds.length} items`}</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={2}>
          {error && (
            <Alert severity="error" data-testid="purify-error">
              {error}
            </Alert>
          )}
          {choices && choices.bundles.length === 0 && <Alert severity="warning">No reference bundle is installed: train one first.</Alert>}
          <TextField
            select
            label="Reference bundle"
            value={bundleId}
            onChange={(event) => setBundleId(event.target.value)}
            disabled={!choices}
            slotProps={{ htmlInput: { 'data-testid': 'bundle-choice' } }}
          >
            {choices?.bundles.map((choice) => (
              <MenuItem key={choice.bundleId} value={choice.bundleId}>
                {choice.label}
              </MenuItem>
            ))}
          </TextField>
          {bundle && (
            <Typography variant="caption" color="text.secondary">
              {bundle.clusterIds.length} clusters ({bundle.clusterIds.join(', ')}), image features from{' '}
              {choices?.classifiers.find((choice) => choice.classifierId === bundle.extractorId)?.label ?? bundle.extractorId}
              {bundle.description ? ` · trained on ${bundle.description}` : ''}
            </Typography>
          )}
          {bundle && <EvasionCheckNote bundle={bundle} />}
          {bundle?.recommendation && bundle.recommendation.defense !== 'acsr' && (
            // measured on this bundle's own validation images when it was tuned: the investigator should know before relying on ACSR
            <Alert severity="info" data-testid="bundle-recommendation">
              {bundle.recommendation.sentence} This purification applies ACSR.
            </Alert>
          )}
          <RunOnWorkersChoice checked={onWorkers} onChange={setOnWorkers} />
          <TextField
            select
            label="Content filter (verdicts before and after)"
            value={classifierId}
            onChange={(event) => setClassifierId(event.target.value)}
            disabled={!choices}
          >
            <MenuItem value={NO_CLASSIFIER}>None (no verdicts)</MenuItem>
            {choices?.classifiers.map((choice) => (
              <MenuItem key={choice.classifierId} value={choice.classifierId} title={choice.description ?? choice.classifierId}>
                {choice.label}
              </MenuItem>
            ))}
          </TextField>
          {bundle && <PurifyEstimate caseId={caseId} itemIds={itemIds} bundleId={bundle.bundleId} />}
          {classifierId !== NO_CLASSIFIER && (
            <Typography variant="caption" color="text.secondary" data-testid="classifier-details">
              model id {classifierId} · classes {choices?.classifiers.find((choice) => choice.classifierId === classifierId)?.classNames.join(', ')}
            </Typography>
          )}
          <Typography variant="body2" color="text.secondary">
            The evidence is only read. Each purified image and its low- and high-frequency parts are stored in the case under their SHA-256, with the cluster
            chosen, every distance and the verdicts, in the audit log under your name.
          </Typography>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={() => void start()} disabled={!bundle || starting}>
          Purify
        </Button>
      </DialogActions>
    </Dialog>
  );
}
