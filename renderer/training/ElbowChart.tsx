/**
 * One class's elbow curve: WCSS (within-cluster sum of squares) against k, the chosen k marked.
 * Drawn as SVG the moment the class is clustered, so the investigator sees why k was chosen.
 */
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import type { JobOutput } from '../../main/ipc/contract/index.ts';

type WcssOutput = Extract<JobOutput, { type: 'wcss' }>;

const WIDTH = 220;
const HEIGHT = 140;
const MARGIN = { left: 52, right: 10, top: 10, bottom: 30 };
/** Points kept off the axes. */
const INSET = 14;

export function ElbowChart({ curve }: { curve: WcssOutput }) {
  const values = curve.wcss;
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const high = Math.max(...values);
  const low = Math.min(0, ...values);
  const span = high - low || 1;
  const x = (k: number) =>
    MARGIN.left + INSET + (values.length === 1 ? (innerWidth - 2 * INSET) / 2 : ((k - 1) / (values.length - 1)) * (innerWidth - 2 * INSET));
  const y = (value: number) => MARGIN.top + innerHeight - INSET / 2 - ((value - low) / span) * (innerHeight - INSET);
  const points = values.map((value, i) => `${x(i + 1).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
  return (
    <Paper variant="outlined" sx={{ p: 1 }} data-testid="elbow-chart" data-class={curve.className} data-chosen-k={curve.chosenK}>
      <Typography variant="subtitle2">{curve.className}</Typography>
      <Typography variant="caption" color="text.secondary">
        {curve.chosenK} group{curve.chosenK === 1 ? '' : 's'} (k = {curve.chosenK},{' '}
        {curve.chosenBy === 'fixed' ? 'fixed' : `elbow rule; groups of at least ${curve.minClusterSize} images`})
      </Typography>
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label={`WCSS of ${curve.className} for k = 1 to ${values.length}`} style={{ display: 'block' }}>
        <line x1={MARGIN.left} y1={MARGIN.top + innerHeight} x2={MARGIN.left + innerWidth} y2={MARGIN.top + innerHeight} stroke="#888" />
        <line x1={MARGIN.left} y1={MARGIN.top} x2={MARGIN.left} y2={MARGIN.top + innerHeight} stroke="#888" />
        <text x={MARGIN.left - 4} y={y(high) + 4} textAnchor="end" fontSize={10} fill="currentColor">
          {formatWcss(high)}
        </text>
        <text x={MARGIN.left - 4} y={y(low) + 4} textAnchor="end" fontSize={10} fill="currentColor">
          {formatWcss(low)}
        </text>
        {values.map((_, i) => (
          <text key={i} x={x(i + 1)} y={HEIGHT - MARGIN.bottom + 14} textAnchor="middle" fontSize={10} fill="currentColor">
            {i + 1}
          </text>
        ))}
        <text x={MARGIN.left + innerWidth / 2} y={HEIGHT - 3} textAnchor="middle" fontSize={10} fill="currentColor">
          groups (k)
        </text>
        <text
          x={12}
          y={MARGIN.top + innerHeight / 2}
          textAnchor="middle"
          fontSize={10}
          fill="currentColor"
          transform={`rotate(-90 12 ${MARGIN.top + innerHeight / 2})`}
        >
          WCSS
        </text>
        {values.length > 1 && <polyline points={points} fill="none" stroke="#1976d2" strokeWidth={2} data-testid="elbow-curve" />}
        {values.map((value, i) => (
          <circle
            key={i}
            cx={x(i + 1)}
            cy={y(value)}
            r={i + 1 === curve.chosenK ? 5 : 3}
            fill={i + 1 === curve.chosenK ? '#d32f2f' : '#1976d2'}
            data-testid={i + 1 === curve.chosenK ? 'elbow-chosen' : 'elbow-point'}
          >
            <title>{`k = ${i + 1}: WCSS ${formatWcss(value)}`}</title>
          </circle>
        ))}
      </svg>
    </Paper>
  );
}

function formatWcss(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) >= 1000 || Math.abs(value) < 0.1 ? value.toExponential(1) : value.toPrecision(3);
}
