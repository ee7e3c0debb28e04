/**
 * The image view of a purified item: the original, x_low, x_high, the reconstructed x_high,
 * the purified output and the amplified difference, side by side under one zoom/pan; the
 * cluster panel (distances, the cluster used, re-purify with another); the content filter's
 * verdicts before and after; hashes and PDQ distance. Everything shown comes from a stored run.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import ButtonGroup from '@mui/material/ButtonGroup';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobSnapshot, PurificationRunView, ViewPart } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { ClusterPanel } from './ClusterPanel.tsx';
import { EvasionExplanation } from './EvasionExplanation.tsx';
import { RunFacts } from './RunFacts.tsx';
import { useSyncedView } from './use-synced-view.ts';
import { VerdictBars } from './VerdictBars.tsx';
import { ViewPanel } from './ViewPanel.tsx';

const PARTS: ViewPart[] = ['original', 'low', 'high', 'reconstructedHigh', 'purified', 'difference'];
const WITHOUT_COMPONENTS: ViewPart[] = ['original', 'purified'];

interface PurificationViewProps {
  caseId: string;
  itemId: number;
  blurByDefault: boolean;
  jobs: JobSnapshot[];
  onPurify: () => void;
  /** Told how many runs the item has whenever they are (re)loaded, so the dialog's tab and the grid stay current. */
  onRunsLoaded: (count: number) => void;
}

export function PurificationView({ caseId, itemId, blurByDefault, jobs, onPurify, onRunsLoaded }: PurificationViewProps) {
  const client = useClient();
  const { inform } = useNotices();
  const [runs, setRuns] = useState<PurificationRunView[] | null>(null);
  const [runId, setRunId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(!blurByDefault);
  const view = useSyncedView();
  // Through a ref: the parent's callback changes with its state, and must not trigger a reload.
  const runsLoaded = useRef(onRunsLoaded);
  runsLoaded.current = onRunsLoaded;

  const load = useCallback(() => {
    client.call('evidence.purifications', { caseId, itemId }).then(
      (loaded) => {
        setRuns(loaded);
        // The newest run is what the investigator just asked for (or the latest on record).
        setRunId(loaded.at(-1)?.runId ?? null);
        runsLoaded.current(loaded.length);
      },
      (failure: unknown) => setError(messageOf(failure)),
    );
  }, [client, caseId, itemId]);
  useEffect(load, [load]);

  // A purification of this case that finishes may have added a run of this item.
  const seen = useRef(new Set(jobs.filter((job) => job.finishedAt).map((job) => job.jobId)));
  useEffect(() => {
    const finished = jobs.filter(
      (job) => (job.kind === 'purify' || job.kind === 'purify-on-workers') && job.caseId === caseId && job.finishedAt && !seen.current.has(job.jobId),
    );
    if (finished.length === 0) return;
    finished.forEach((job) => seen.current.add(job.jobId));
    load();
  }, [jobs, caseId, load]);

  const run = runs?.find((candidate) => candidate.runId === runId) ?? null;

  const repurify = async (clusterId: string, reason: string) => {
    if (!run) return;
    const choices = await client.call('purification.choices', {});
    // The very bundle of the run (by its manifest hash), so only the cluster differs between the two runs.
    const bundle = choices.bundles.find((choice) => choice.manifestSha256 === run.bundleManifestSha256);
    if (!bundle) throw new Error(`the bundle of this run (${run.bundleId}, manifest ${run.bundleManifestSha256.slice(0, 12)}…) is no longer installed`);
    await client.call('jobs.start', {
      kind: 'purify',
      caseId,
      itemIds: [itemId],
      bundleId: bundle.bundleId,
      classifierId: run.verdicts?.modelId ?? null,
      override: { cluster: clusterId, reason },
    });
    inform(`Re-purification of item #${itemId} with cluster ${clusterId} queued`, 'info');
  };

  if (error) return <Alert severity="error">{error}</Alert>;
  if (!runs) return <Typography color="text.secondary">loading…</Typography>;
  if (runs.length === 0 || !run) {
    return (
      <Stack spacing={2} sx={{ alignItems: 'flex-start' }} data-testid="not-purified">
        <Typography color="text.secondary">This item has not been purified yet.</Typography>
        <Button variant="contained" onClick={onPurify}>
          Purify…
        </Button>
      </Stack>
    );
  }

  const parts = run.hasComponents ? PARTS : WITHOUT_COMPONENTS;
  return (
    <Stack spacing={2} data-testid="purification-view" data-run-id={run.runId}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }} useFlexGap>
        <TextField
          select
          size="small"
          label="Run"
          value={run.runId}
          onChange={(event) => setRunId(Number(event.target.value))}
          sx={{ minWidth: 320 }}
          slotProps={{ htmlInput: { 'data-testid': 'run-choice' } }}
        >
          {runs.map((candidate) => (
            <MenuItem key={candidate.runId} value={candidate.runId}>
              Run #{candidate.runId} · cluster {candidate.usedClusterId}
              {candidate.override ? ' (override)' : ''} · {candidate.createdAt.slice(0, 19).replace('T', ' ')}
            </MenuItem>
          ))}
        </TextField>
        <ButtonGroup size="small" variant="outlined" aria-label="Zoom">
          <Button onClick={() => view.zoomBy(0.5)}>−</Button>
          <Button onClick={view.reset} data-testid="zoom-level" sx={{ minWidth: 64 }}>
            {view.transform.scale === 1 ? 'fit' : `×${view.transform.scale.toFixed(1)}`}
          </Button>
          <Button onClick={() => view.zoomBy(2)}>+</Button>
        </ButtonGroup>
        <Button size="small" onClick={() => setRevealed((current) => !current)} data-testid="view-reveal">
          {revealed ? 'Conceal images' : 'Reveal images'}
        </Button>
        <Typography variant="caption" color="text.secondary">
          Wheel zooms and a drag pans all panels together.
        </Typography>
      </Stack>
      {!run.hasComponents && <Alert severity="info">This run was recorded before the low- and high-frequency parts were kept; purify again to see them.</Alert>}
      {/* Panels beside the cluster panel and verdicts, so an ordinary screen shows them together. */}
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 2fr) minmax(360px, 1fr)' }, gap: 3, alignItems: 'start' }}>
        <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(3, minmax(0, 1fr))', gap: 1.5 }}>
          {parts.map((part) => (
            <ViewPanel key={`${run.runId}-${part}`} caseId={caseId} itemId={itemId} runId={run.runId} part={part} concealed={!revealed} view={view} />
          ))}
        </Box>
        <Stack spacing={2.5}>
          <EvasionExplanation evasion={run.evasion} />
          <ClusterPanel run={run} onRepurify={repurify} />
          {run.verdicts ? (
            <VerdictBars verdicts={run.verdicts} />
          ) : (
            <Typography variant="body2" color="text.secondary">
              No content filter verdicts for this run.
            </Typography>
          )}
        </Stack>
      </Box>
      <RunFacts run={run} />
    </Stack>
  );
}
