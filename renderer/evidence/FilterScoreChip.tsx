/**
 * The content filter's verdict on a tile: its top class and score, and the score of the class the
 * grid is sorted by when that is another class, so a sorted grid shows why each item is where it is.
 */
import Chip from '@mui/material/Chip';
import { percent, topScore } from './filter-score-text.ts';

interface FilterScoreChipProps {
  scores: Record<string, number> | null;
  /** The class the grid is sorted by, if it is sorted by a score. */
  sortClass: string | null;
  tileSize: number;
}

export function FilterScoreChip({ scores, sortClass, tileSize }: FilterScoreChipProps) {
  const top = topScore(scores);
  if (!scores || !top) return null;
  const sorted = sortClass !== null && sortClass !== top.className && scores[sortClass] !== undefined ? `${sortClass} ${percent(scores[sortClass])}` : null;
  const label = tileSize >= 144 || !sorted ? [`${top.className} ${percent(top.probability)}`, sorted].filter(Boolean).join(' · ') : sorted;
  const all = Object.entries(scores)
    .sort((a, b) => b[1] - a[1])
    .map(([name, probability]) => `${name} ${percent(probability)}`)
    .join(', ');
  return (
    <Chip
      size="small"
      label={label}
      title={`Content filter: ${all}`}
      data-testid="filter-score"
      data-top-class={top.className}
      sx={{
        fontSize: '0.65rem',
        height: 18,
        maxWidth: 'calc(100% - 8px)',
        bgcolor: 'rgba(0, 0, 0, 0.72)',
        color: '#fff',
      }}
    />
  );
}
