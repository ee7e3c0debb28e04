/**
 * One training job as it runs: the stages (latents, clustering per class, a dictionary per
 * cluster) with the current one's progress, each class's elbow curve as soon as it is clustered,
 * each cluster's atoms as soon as its dictionary is learned, the specificity check of the
 * dictionaries on held-out images, cancel, and where the bundle went.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { JobOutput, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { CopyablePath } from '../common/CopyablePath.tsx';
import { useJobOutputs } from '../jobs/use-job-outputs.ts';
import { AtomGrid } from './AtomGrid.tsx';
import { ElbowChart } from './ElbowChart.tsx';
import { SpecificityHeatmap } from './SpecificityHeatmap.tsx';
import { JobFailure } from '../jobs/JobFailure.tsx';
import { JobRunHeader, JobRunProgress } from '../jobs/JobRunHeader.tsx';

type WcssOutput = Extract<JobOutput, { type: 'wcss' }>;
type AtomsOutput = Extract<JobOutput, { type: 'atoms' }>;

export function TrainingRun({ job }: { job: JobSnapshot }) {
  const outputs = useJobOutputs(job.jobId);
  const curves = outputs.filter((output): output is WcssOutput => output.type === 'wcss');
  const grids = outputs.filter((output): output is AtomsOutput => output.type === 'atoms');
  const specificity = outputs.find((output) => output.type === 'specificity');
  const active = job.state === 'queued' || job.state === 'running';
  const stage = job.progress?.stage ?? '';
  // Clusters are known once their class is clustered: <class>:<j> for j < k.
  const clusterIds = curves.flatMap((curve) => Array.from({ length: curve.chosenK }, (_, j) => `${curve.className}:${j}`));
  const learned = new Set(grids.map((grid) => grid.clusterId));
  const bundlePath = typeof job.summary?.bundlePath === 'string' ? job.summary.bundlePath : null;

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="training-run" data-job-state={job.state}>
      <Stack spacing={1.5}>
        <JobRunHeader job={job} testIdPrefix="training" />
        {active && <JobRunProgress job={job} cancelLabel="Cancel training" testIdPrefix="training" />}
        <Stack spacing={0.5} data-testid="training-stages">
          <StageLine
            name="Describing each image (latents)"
            state={stageState(job, 'latents')}
            detail={stage.startsWith('latents') ? job.progress?.message : undefined}
          />
          <StageLine
            name="Grouping similar images per class (clustering)"
            state={stageState(job, 'clusters')}
            detail={curves.map((curve) => `${curve.className}: k = ${curve.chosenK}`).join(' · ') || undefined}
          />
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }}>
            <Typography variant="body2" sx={{ width: 300, flexShrink: 0 }}>
              Detail patterns per group (dictionaries)
            </Typography>
            {clusterIds.length === 0 && (
              <Typography variant="caption" color="text.secondary">
                after clustering
              </Typography>
            )}
            {clusterIds.map((id) => {
              const running = active && stage.startsWith(`dictionary ${id}`);
              const label = learned.has(id) ? `${id} ✓` : running ? `${id} ${Math.round((job.progress?.stageFraction ?? 0) * 100)}%` : id;
              return (
                <Chip
                  key={id}
                  size="small"
                  label={label}
                  color={learned.has(id) ? 'success' : running ? 'primary' : 'default'}
                  variant={running || learned.has(id) ? 'filled' : 'outlined'}
                  data-testid="dictionary-chip"
                />
              );
            })}
          </Stack>
        </Stack>
        {job.state === 'failed' && <JobFailure error={job.error} details={job.errorDetails} />}
        {job.state === 'cancelled' && (
          <Alert severity="info" data-testid="training-cancelled">
            Training cancelled: no bundle was written.
          </Alert>
        )}
        {job.state === 'completed' && bundlePath && (
          <Alert severity="success" data-testid="training-done">
            <Typography variant="body2">Bundle written; it is offered in the purify dialog. Its folder:</Typography>
            <CopyablePath path={bundlePath} testId="bundle-path" />
          </Alert>
        )}
        {curves.length > 0 && (
          <Box>
            <Typography variant="subtitle2" gutterBottom>
              How tightly each class groups, by number of groups (elbow curves of the within-cluster sum of squares, WCSS)
            </Typography>
            <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
              {curves.map((curve) => (
                <ElbowChart key={curve.className} curve={curve} />
              ))}
            </Stack>
          </Box>
        )}
        {grids.length > 0 && (
          <Box>
            <Typography variant="subtitle2" gutterBottom>
              Learned detail patterns of each group (dictionary atoms, each scaled on its own, zero is grey)
            </Typography>
            <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
              {grids.map((grid) => (
                <AtomGrid key={grid.clusterId} atoms={grid} />
              ))}
            </Stack>
          </Box>
        )}
        {specificity?.type === 'specificity' && (
          <Box>
            <Typography variant="subtitle2" gutterBottom>
              Are the dictionaries cluster-specific? (held-out images, lower objective is better)
            </Typography>
            <SpecificityHeatmap check={specificity} />
          </Box>
        )}
      </Stack>
    </Paper>
  );
}

type StageState = 'waiting' | 'running' | 'done' | 'stopped';

/** The stages in the order train-references.ts runs them, as their progress names begin. */
const PHASES = ['loading', 'latents', 'clusters', 'dictionary', 'specificity', 'write'];

function stageState(job: JobSnapshot, phase: string): StageState {
  if (job.state === 'completed') return 'done';
  const current = PHASES.findIndex((name) => (job.progress?.stage ?? 'loading').startsWith(name));
  const wanted = PHASES.indexOf(phase);
  if (current > wanted) return 'done';
  const active = job.state === 'queued' || job.state === 'running';
  if (!active) return 'stopped';
  return current === wanted ? 'running' : 'waiting';
}

function StageLine({ name, state, detail }: { name: string; state: StageState; detail?: string | undefined }) {
  const mark = { waiting: '○', running: '◐', done: '✓', stopped: '–' }[state];
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline' }} data-testid="training-stage" data-stage-state={state}>
      <Typography variant="body2" sx={{ width: 300, flexShrink: 0 }}>
        {mark} {name}
      </Typography>
      {detail && (
        <Typography variant="caption" color="text.secondary">
          {detail}
        </Typography>
      )}
    </Stack>
  );
}
