/**
 * Marks over a tile's picture for triage: a badge when the item matches a known-content hash
 * list, and, when the grid groups near-duplicates, the size of the item's group with a button
 * that shows or folds its members.
 */
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import type { EvidenceSummary } from '../../main/ipc/contract/index.ts';

export interface TileGrouping {
  /** Members of the group this tile stands for or belongs to (1: not grouped). */
  size: number;
  /** The group is shown member by member. */
  expanded: boolean;
  onToggle: () => void;
}

export function TriageChips({ item, size, grouping }: { item: EvidenceSummary; size: number; grouping: TileGrouping | null }) {
  const match = item.hashMatch;
  const wide = size >= 144;
  if (!match && !grouping) return null;
  return (
    // One above the other, each with the tile's whole width, so neither is cut short at small sizes.
    <Stack spacing={0.5} sx={{ alignItems: 'flex-start', maxWidth: '100%' }}>
      {match ? (
        <Chip
          size="small"
          color="warning"
          label={wide ? `on a hash list${match.categories.length > 0 ? ` · ${match.categories[0]}` : ''}` : 'on a list'}
          title={`Matches the hash list${match.lists.length === 1 ? '' : 's'} ${match.lists.join(', ')}${
            match.categories.length > 0 ? ` (category ${match.categories.join(', ')})` : ''
          }: ${match.exact ? 'the same file' : `a similar picture, ${match.closestPdqDistance} of 256 bits apart`}`}
          data-testid="hash-match-badge"
          sx={{ fontSize: '0.65rem', height: 18, fontWeight: 700, maxWidth: '100%' }}
        />
      ) : null}
      {grouping && grouping.size > 1 && (
        <Chip
          size="small"
          color="info"
          label={grouping.expanded ? 'fold group' : wide ? `${grouping.size} near-duplicates` : `${grouping.size} alike`}
          title={grouping.expanded ? 'Show this group as one tile again' : `${grouping.size} near-duplicate pictures: click to show them all`}
          onClick={(event) => {
            event.stopPropagation();
            grouping.onToggle();
          }}
          data-testid="group-chip"
          sx={{ fontSize: '0.65rem', height: 18, maxWidth: '100%' }}
        />
      )}
    </Stack>
  );
}
