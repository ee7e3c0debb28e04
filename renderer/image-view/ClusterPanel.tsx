/**
 * Every cluster of the bundle with the image's Mahalanobis distance to it, as horizontal bars
 * (plain SVG: no chart library), the nearest one (the method's choice) and the one used marked;
 * below, the investigator can re-purify with another cluster. An override needs a reason: it is
 * recorded with the run and in the audit log under the examiner's name, as `acsr case purify` does.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { useState, type FormEvent } from 'react';
import type { PurificationRunView } from '../../main/ipc/contract/index.ts';

const ROW = 22;
const LABEL_WIDTH = 110;
const VALUE_WIDTH = 120;

interface ClusterPanelProps {
  run: PurificationRunView;
  /** Starts the re-purification; resolves once the job is queued, rejects with a message for people. */
  onRepurify: (clusterId: string, reason: string) => Promise<void>;
}

export function ClusterPanel({ run, onRepurify }: ClusterPanelProps) {
  const theme = useTheme();
  const [cluster, setCluster] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const maxDistance = Math.max(...run.clusters.map((entry) => entry.distance), Number.MIN_VALUE);
  const width = 460;
  const barSpace = width - LABEL_WIDTH - VALUE_WIDTH;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onRepurify(cluster, reason.trim());
      setReason('');
      setCluster('');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box data-testid="cluster-panel">
      <Typography variant="subtitle2" gutterBottom>
        How near the image is to each group of reference images (clusters, by Mahalanobis distance: smaller is nearer)
      </Typography>
      <svg
        width="100%"
        viewBox={`0 0 ${width} ${run.clusters.length * ROW + 4}`}
        role="img"
        aria-label="Mahalanobis distance to every cluster"
        style={{ maxWidth: width, display: 'block' }}
      >
        {run.clusters.map((entry, index) => {
          const used = entry.clusterId === run.usedClusterId;
          const nearest = entry.clusterId === run.chosenClusterId;
          const length = Math.max(2, (entry.distance / maxDistance) * barSpace);
          const y = index * ROW + 2;
          const colour = used ? theme.palette.primary.main : theme.palette.action.disabled;
          return (
            <g
              key={entry.clusterId}
              data-testid="cluster-bar"
              data-cluster-id={entry.clusterId}
              data-distance={entry.distance}
              data-used={used}
              data-nearest={nearest}
            >
              <text x={LABEL_WIDTH - 6} y={y + ROW / 2 + 4} textAnchor="end" fontSize="12" fill={theme.palette.text.primary} fontWeight={used ? 700 : 400}>
                {entry.clusterId}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y + 3}
                width={length}
                height={ROW - 8}
                rx="2"
                fill={colour}
                stroke={nearest ? theme.palette.success.main : 'none'}
                strokeWidth={nearest ? 2 : 0}
              />
              <text x={LABEL_WIDTH + length + 6} y={y + ROW / 2 + 4} fontSize="11" fill={theme.palette.text.secondary}>
                {formatDistance(entry.distance)}
                {nearest ? ' · nearest' : ''}
                {used && !nearest ? ' · used' : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 0.5 }} data-testid="cluster-used">
        {run.override
          ? `Used ${run.override.clusterId} instead of the nearest ${run.chosenClusterId}: “${run.override.reason}” (${run.override.examiner})`
          : `Used the nearest cluster, ${run.usedClusterId}`}
      </Typography>
      <Box component="form" onSubmit={submit} sx={{ mt: 1.5 }}>
        <Stack spacing={1}>
          <Stack direction="row" spacing={1}>
            <TextField select size="small" label="Re-purify with" value={cluster} onChange={(event) => setCluster(event.target.value)} sx={{ flex: 1 }}>
              {run.clusters
                .filter((entry) => entry.clusterId !== run.usedClusterId)
                .map((entry) => (
                  <MenuItem key={entry.clusterId} value={entry.clusterId}>
                    {entry.clusterId}
                  </MenuItem>
                ))}
            </TextField>
            <Button type="submit" variant="outlined" disabled={!cluster || !reason.trim() || busy}>
              Re-purify
            </Button>
          </Stack>
          <TextField
            size="small"
            label="Reason (recorded in the audit log)"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            required
            slotProps={{ htmlInput: { 'data-testid': 'override-reason', maxLength: 200 } }}
          />
        </Stack>
        {error && (
          <Alert severity="error" sx={{ mt: 1 }} data-testid="override-error">
            {error}
          </Alert>
        )}
      </Box>
    </Box>
  );
}

function formatDistance(distance: number): string {
  return distance >= 1e6 ? distance.toExponential(2) : distance.toFixed(distance >= 100 ? 0 : 2);
}
