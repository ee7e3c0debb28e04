/**
 * The evaluation form: a labelled folder (class sub-folders named as the classifier's classes),
 * the classifier, the bundle acsr purifies with, attack specs as `acsr eval --attacks` reads
 * them, the defenses, and how many images. Everything is checked again on the main side.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState, type FormEvent } from 'react';
import type { AppState, JobSnapshot, RequestInput, RequestOutput } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { FolderField } from '../common/FolderField.tsx';

type Choices = RequestOutput<'evaluation.choices'>;
type EvalRequest = Extract<RequestInput<'jobs.start'>, { kind: 'eval' }>;
/** What the form offers before anything is changed: a small evaluation that still says something (`acsr eval`'s own default is the paper's five attack columns, hours on a large folder). */
const QUICK_ATTACKS = 'fgsm:0.04,deepfool';
const QUICK_DEFENSES = ['none', 'jpeg75', 'median3', 'acsr'];

export function EvaluationForm({ state, onStarted }: { state: AppState; onStarted: (job: JobSnapshot) => void }) {
  const client = useClient();
  const [choices, setChoices] = useState<Choices | null>(null);
  const [folder, setFolder] = useState('');
  const [modelId, setModelId] = useState('');
  const [bundleId, setBundleId] = useState('');
  const [attacks, setAttacks] = useState(QUICK_ATTACKS);
  const [defenses, setDefenses] = useState<string[]>(QUICK_DEFENSES);
  const [limit, setLimit] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    client.call('evaluation.choices', {}).then(
      (loaded) => {
        setChoices(loaded);
        setModelId(loaded.defaultModelId ?? loaded.models[0]?.classifierId ?? '');
        setBundleId(loaded.defaultBundleId ?? '');
      },
      (failure: unknown) => setError(messageOf(failure)),
    );
  }, [client]);

  const toggle = (name: string, on: boolean) => setDefenses((current) => (on ? [...current, name] : current.filter((other) => other !== name)));
  const ordered = (choices?.defenses ?? []).filter((name) => defenses.includes(name));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setStarting(true);
    const request: EvalRequest = {
      kind: 'eval',
      labelledFolder: folder.trim(),
      ...(modelId ? { modelId } : {}),
      attacks: attacks.trim(),
      defenses: ordered,
      ...(bundleId ? { bundleId } : {}),
      ...(limit.trim() ? { limit: Number(limit) } : {}),
    };
    try {
      onStarted(await client.call('jobs.start', request));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setStarting(false);
    }
  };

  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="form" onSubmit={(event) => void submit(event)} data-testid="evaluation-form">
      <Stack spacing={2}>
        <Typography variant="subtitle1">New evaluation</Typography>
        <FolderField
          state={state}
          label="Labelled folder"
          dialogTitle="Folder with one sub-folder per class, named as the classifier's classes"
          value={folder}
          onChange={setFolder}
          testId="eval-folder"
        />
        <TextField
          select
          size="small"
          label="Classifier (attacked and protected)"
          value={choices ? modelId : ''}
          onChange={(event) => setModelId(event.target.value)}
          helperText={modelId ? `model id ${modelId}` : undefined}
        >
          {(choices?.models ?? []).map((model) => (
            <MenuItem key={model.classifierId} value={model.classifierId} title={model.description ?? model.classifierId}>
              {model.label}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Reference bundle (for acsr)"
          value={choices ? bundleId : ''}
          onChange={(event) => setBundleId(event.target.value)}
        >
          {(choices?.bundles ?? []).map((bundle) => (
            <MenuItem key={bundle.bundleId} value={bundle.bundleId}>
              {bundle.label}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          size="small"
          label="Attacks"
          value={attacks}
          onChange={(event) => setAttacks(event.target.value)}
          helperText="name[:budget], comma-separated; pixels in [0, 1]. The paper's budgets: fgsm-dis, bim-dis, pgd-dis, deepfool-dis, cw-dis (L2 dissimilarity ||x'-x||/||x||; deepfool-dis and cw-dis count only below it). Stress rows: fgsm, bim, pgd (per-pixel L2, ||x'-x||/sqrt(HWC)), their -linf forms (max |x'-x|); deepfool, cw (no budget); none for clean only"
          slotProps={{ htmlInput: { 'data-testid': 'eval-attacks', spellCheck: false } }}
        />
        <Box>
          <FormLabel component="legend" sx={{ fontSize: '0.8rem' }}>
            Defenses
          </FormLabel>
          <FormGroup row data-testid="eval-defenses">
            {(choices?.defenses ?? []).map((name) => (
              <FormControlLabel
                key={name}
                control={
                  <Checkbox
                    size="small"
                    checked={defenses.includes(name)}
                    onChange={(event) => toggle(name, event.target.checked)}
                    slotProps={{ input: { 'aria-label': name } }}
                  />
                }
                label={name}
                sx={{ mr: 1.5 }}
              />
            ))}
          </FormGroup>
        </Box>
        <TextField
          size="small"
          type="number"
          label="Images (first N; empty: all)"
          value={limit}
          onChange={(event) => setLimit(event.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'eval-limit', min: 1 } }}
        />
        {error && (
          <Alert severity="error" onClose={() => setError(null)} data-testid="eval-error">
            {error}
          </Alert>
        )}
        <Button type="submit" variant="contained" disabled={starting || !folder.trim() || ordered.length === 0} sx={{ alignSelf: 'flex-start' }}>
          Run evaluation
        </Button>
      </Stack>
    </Paper>
  );
}
