/**
 * The training form: a labelled folder (one sub-folder of images per class), the new bundle's
 * name, and stage i's parameters, starting from the defaults `acsr train` uses (the main side
 * answers them with the extractors, 'training.choices'). The extractor is one of the model
 * registry's, offered by id; the request is checked again by the contract's schema.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState, type FormEvent } from 'react';
import type { AppState, JobSnapshot, RequestInput, TrainingChoices } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { FolderField } from '../common/FolderField.tsx';

type TrainRequest = Extract<RequestInput<'jobs.start'>, { kind: 'train' }>;
interface TrainingFormProps {
  state: AppState;
  onStarted: (job: JobSnapshot) => void;
}

/** The form appears once the choices are in, so that its fields start from the defaults and never change under the person's hands. */
export function TrainingForm({ state, onStarted }: TrainingFormProps) {
  const client = useClient();
  const [choices, setChoices] = useState<TrainingChoices | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.call('training.choices', {}).then(setChoices, (failure: unknown) => setError(messageOf(failure)));
  }, [client]);
  if (choices) return <TrainingFields state={state} onStarted={onStarted} choices={choices} />;
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      {error ? <Alert severity="error">{error}</Alert> : <Typography color="text.secondary">loading…</Typography>}
    </Paper>
  );
}

function TrainingFields({ state, onStarted, choices }: TrainingFormProps & { choices: TrainingChoices }) {
  const client = useClient();
  const { extractors, defaults: d } = choices;
  const [folder, setFolder] = useState('');
  const [name, setName] = useState('');
  const [extractorId, setExtractorId] = useState<string>(d.extractorId);
  const [kMode, setKMode] = useState<'elbow' | 'fixed'>('elbow');
  const [kMax, setKMax] = useState(String(d.kMax));
  const [fixedK, setFixedK] = useState('1');
  const [atoms, setAtoms] = useState(String(d.atoms));
  const [atomSize, setAtomSize] = useState(String(d.atomSize));
  const [covariance, setCovariance] = useState<'ledoit-wolf' | 'pinv'>(d.covariance);
  const [cdlIterations, setCdlIterations] = useState(String(d.cdlIterations));
  const [seed, setSeed] = useState(String(d.seed));
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setStarting(true);
    const request: TrainRequest = {
      kind: 'train',
      labelledFolder: folder.trim(),
      bundleName: name.trim(),
      extractorId,
      kMax: Number(kMax),
      fixedK: kMode === 'fixed' ? Number(fixedK) : null,
      atoms: Number(atoms),
      atomSize: Number(atomSize),
      covariance,
      cdlIterations: Number(cdlIterations),
      seed: Number(seed),
    };
    try {
      onStarted(await client.call('jobs.start', request));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setStarting(false);
    }
  };

  // Each setting in words, with the research term it stands for beside it (the paper's and `acsr train`'s name).
  const number = (label: string, term: string, value: string, set: (value: string) => void, testId: string, min: number, max: number) => (
    <TextField
      size="small"
      type="number"
      label={label}
      helperText={term}
      value={value}
      onChange={(event) => set(event.target.value)}
      slotProps={{ htmlInput: { 'data-testid': testId, min, max, step: 1 } }}
    />
  );

  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="form" onSubmit={(event) => void submit(event)} data-testid="training-form">
      <Stack spacing={2}>
        <Typography variant="subtitle1">New reference bundle</Typography>
        <FolderField
          state={state}
          label="Labelled folder"
          dialogTitle="Folder with one sub-folder of images per class"
          value={folder}
          onChange={setFolder}
          testId="train-folder"
        />
        <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 2 }}>
          <TextField
            size="small"
            label="Bundle name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            helperText="letters, digits and . _ - (becomes the bundle's folder name)"
            sx={{ gridColumn: '1 / 3' }}
            slotProps={{ htmlInput: { 'data-testid': 'train-name', spellCheck: false } }}
          />
          <TextField
            select
            size="small"
            label="Model that describes each image"
            value={extractors.length ? extractorId : ''}
            onChange={(event) => setExtractorId(event.target.value)}
            helperText={`latent extractor · model id ${extractorId}`}
            sx={{ gridColumn: '1 / 3' }}
          >
            {extractors.map((choice) => (
              <MenuItem key={choice.classifierId} value={choice.classifierId} title={choice.description ?? choice.classifierId}>
                {choice.label}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label="Groups per class"
            value={kMode}
            onChange={(event) => setKMode(event.target.value as 'elbow' | 'fixed')}
            helperText="clusters of similar images per class"
            slotProps={{ select: { inputProps: { 'data-testid': 'train-k-mode' } } }}
          >
            <MenuItem value="elbow">automatic (elbow rule)</MenuItem>
            <MenuItem value="fixed">fixed number (k)</MenuItem>
          </TextField>
          {kMode === 'elbow'
            ? number('Most groups to try', 'k max, elbow rule', kMax, setKMax, 'train-k-max', 1, 16)
            : number('Groups per class', 'k', fixedK, setFixedK, 'train-fixed-k', 1, 16)}
          <TextField
            select
            size="small"
            label="How the distance to a group is measured"
            value={covariance}
            onChange={(event) => setCovariance(event.target.value as 'ledoit-wolf' | 'pinv')}
            helperText="covariance estimate of the Mahalanobis distance"
            sx={{ gridColumn: '1 / 3' }}
          >
            <MenuItem value="ledoit-wolf">steady (Ledoit-Wolf shrinkage)</MenuItem>
            <MenuItem value="pinv">as in the paper (pseudo-inverse)</MenuItem>
          </TextField>
          {number('Patterns per group', 'dictionary atoms: fine-detail patterns', atoms, setAtoms, 'train-atoms', 1, 256)}
          {number('Pattern size in pixels', 'atom size', atomSize, setAtomSize, 'train-atom-size', 2, 32)}
          {number('Learning rounds', 'CDL iterations', cdlIterations, setCdlIterations, 'train-cdl-iterations', 1, 1000)}
          {number('Random seed', 'the same seed gives the same bundle', seed, setSeed, 'train-seed', 0, 2 ** 31 - 1)}
        </Box>
        {error && (
          <Alert severity="error" onClose={() => setError(null)} data-testid="train-error">
            {error}
          </Alert>
        )}
        <Button type="submit" variant="contained" disabled={starting || !folder.trim() || !name.trim()} sx={{ alignSelf: 'flex-start' }}>
          Train bundle
        </Button>
      </Stack>
    </Paper>
  );
}
