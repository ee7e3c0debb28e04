/**
 * A job's live metrics as its progress events carry them (main/progress: numbers and number
 * series, e.g. a loss per iteration or the WCSS curve per k): numbers as text, series as a small
 * line chart with its latest value.
 */
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { JobSnapshot } from '../../main/ipc/contract/index.ts';

type Metrics = NonNullable<NonNullable<JobSnapshot['progress']>['metrics']>;

const WIDTH = 120;
const HEIGHT = 28;

export function MetricsView({ metrics }: { metrics: Metrics }) {
  const entries = Object.entries(metrics);
  if (entries.length === 0) return null;
  return (
    <Stack spacing={0.25} sx={{ mt: 0.5 }} data-testid="job-metrics">
      {entries.map(([name, value]) =>
        Array.isArray(value) ? (
          <Stack key={name} direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Typography variant="caption" color="text.secondary" sx={{ minWidth: 64 }}>
              {name}
            </Typography>
            <Sparkline values={value} label={name} />
            <Typography variant="caption">{value.length > 0 ? formatNumber(value[value.length - 1]) : '—'}</Typography>
          </Stack>
        ) : (
          <Typography key={name} variant="caption" color="text.secondary">
            {name}: {formatNumber(value)}
          </Typography>
        ),
      )}
    </Stack>
  );
}

function Sparkline({ values, label }: { values: number[]; label: string }) {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return <svg width={WIDTH} height={HEIGHT} role="img" aria-label={`${label}: not enough points yet`} />;
  const low = Math.min(...finite);
  const span = Math.max(...finite) - low || 1;
  const points = values
    .map((value, index) =>
      Number.isFinite(value)
        ? `${((index / (values.length - 1)) * WIDTH).toFixed(1)},${(HEIGHT - 2 - ((value - low) / span) * (HEIGHT - 4)).toFixed(1)}`
        : null,
    )
    .filter((point): point is string => point !== null)
    .join(' ');
  return (
    <svg width={WIDTH} height={HEIGHT} role="img" aria-label={`${label} over ${values.length} points`} data-testid="metric-sparkline">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en');
  return Math.abs(value) >= 1000 || Math.abs(value) < 0.01 ? value.toExponential(3) : value.toPrecision(4);
}
