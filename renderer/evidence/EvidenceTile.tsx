/**
 * One evidence item in the grid. Its image is blurred and greyscale unless the investigator
 * reveals it (wellness: nobody should see material at full strength without choosing to).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { memo, useEffect, useState } from 'react';
import type { EvidenceSummary } from '../../main/ipc/contract/index.ts';
import { messageOf } from '../client/workstation-client.ts';
import { CategoryBadge } from './CategoryBadge.tsx';
import { FilterScoreChip } from './FilterScoreChip.tsx';
import { thumbnailBucket, type ThumbnailLoader } from './thumbnail-loader.ts';
import { TriageChips, type TileGrouping } from './TriageChips.tsx';
import { EvasionBadge } from './EvasionBadge.tsx';

export const TILE_CAPTION_HEIGHT = 64;
const CONCEALED = 'blur(14px) grayscale(1)';

interface EvidenceTileProps {
  caseId: string;
  item: EvidenceSummary;
  size: number;
  scoreClass: string | null;
  blurred: boolean;
  selected: boolean;
  /** A failed verification found a problem on this item. */
  flagged: boolean;
  focused: boolean;
  loader: ThumbnailLoader;
  onClick: (itemId: number, event: React.MouseEvent) => void;
  onOpen: (itemId: number) => void;
  onToggleReveal: (itemId: number) => void;
  /** When the grid groups near-duplicates: this tile's group. */
  grouping?: TileGrouping | null;
}

export const EvidenceTile = memo(function EvidenceTile({
  caseId,
  item,
  size,
  scoreClass,
  blurred,
  selected,
  flagged,
  focused,
  loader,
  onClick,
  onOpen,
  onToggleReveal,
  grouping = null,
}: EvidenceTileProps) {
  const bucket = thumbnailBucket(size);
  const [url, setUrl] = useState<string | undefined>(() => loader.cached(caseId, item.itemId, bucket));
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    loader.load(caseId, item.itemId, bucket, controller.signal).then(setUrl, (error: unknown) => {
      if (!controller.signal.aborted) setFailure(messageOf(error));
    });
    return () => controller.abort();
  }, [loader, caseId, item.itemId, bucket]);

  return (
    <Paper
      variant="outlined"
      onClick={(event) => onClick(item.itemId, event)}
      onDoubleClick={() => onOpen(item.itemId)}
      data-testid="evidence-tile"
      data-item-id={item.itemId}
      data-category={item.category ?? ''}
      data-purified={item.purificationRuns > 0 ? 'true' : 'false'}
      data-blurred={blurred ? 'true' : 'false'}
      data-flagged={flagged ? 'true' : 'false'}
      aria-selected={selected}
      sx={{
        width: size,
        height: size + TILE_CAPTION_HEIGHT,
        overflow: 'hidden',
        cursor: 'pointer',
        borderColor: flagged ? 'error.main' : focused ? 'text.secondary' : 'divider',
        // An outline, not a thicker border, so that selecting a tile does not shift its content.
        outline: selected || flagged ? '2px solid' : 'none',
        outlineColor: flagged ? 'error.main' : 'primary.main',
        outlineOffset: -2,
        bgcolor: selected ? 'action.selected' : 'background.paper',
      }}
    >
      <Box
        sx={{
          position: 'relative',
          width: '100%',
          height: size,
          overflow: 'hidden',
          bgcolor: '#0b0d10',
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'center',
        }}
      >
        {/* Over the picture, so the caption keeps its room for the name and category. */}
        {item.purificationRuns > 0 && (
          <Chip
            size="small"
            color="success"
            label={item.verdictAfter ? `purified · ${item.verdictAfter}` : 'purified'}
            title={`${item.purificationRuns} purification run${item.purificationRuns === 1 ? '' : 's'}${item.verdictBefore ? `; content filter: ${item.verdictBefore} before, ${item.verdictAfter} after` : ''}`}
            data-testid="purified-chip"
            sx={{ position: 'absolute', top: 4, left: 4, zIndex: 1, fontSize: '0.65rem', height: 18, maxWidth: 'calc(100% - 8px)' }}
          />
        )}
        {flagged && (
          <Chip
            size="small"
            color="error"
            label={size >= 144 ? 'failed verification' : '!'}
            title="The last verification found a problem with this item's record or file: see the warning above the grid"
            data-testid="verification-mark"
            sx={{ position: 'absolute', top: 4, right: 4, zIndex: 1, fontSize: '0.65rem', height: 18, fontWeight: 700 }}
          />
        )}
        {/* The tile's badges stacked at the bottom of the picture, so none hides another. */}
        <Stack spacing={0.5} sx={{ position: 'absolute', bottom: 4, left: 4, right: 4, zIndex: 1, alignItems: 'flex-start' }}>
          <EvasionBadge evasion={item.evasion} compact={size < 144} />
          <TriageChips item={item} size={size} grouping={grouping} />
          <FilterScoreChip scores={item.filterScores} sortClass={scoreClass} tileSize={size} />
        </Stack>
        {url && (
          <img
            src={url}
            alt={blurred ? `${item.originalName} (concealed)` : item.originalName}
            draggable={false}
            style={{
              maxWidth: '100%',
              maxHeight: '100%',
              objectFit: 'contain',
              filter: blurred ? CONCEALED : 'none',
              transform: blurred ? 'scale(1.1)' : 'none',
            }}
          />
        )}
        {!url && (
          <Typography variant="caption" color={failure ? 'error' : 'text.secondary'} sx={{ p: 1, textAlign: 'center' }}>
            {failure ?? 'loading…'}
          </Typography>
        )}
      </Box>
      <Stack sx={{ px: 1, py: 0.5 }} spacing={0.25}>
        <Typography variant="caption" noWrap title={item.originalName}>
          #{item.itemId} {item.originalName}
        </Typography>
        <Stack sx={{ justifyContent: 'space-between', alignItems: 'center' }} direction="row">
          <Stack direction="row" spacing={0.5} sx={{ minWidth: 0, overflow: 'hidden' }}>
            {item.category ? (
              <CategoryBadge code={item.category} tileSize={size} />
            ) : (
              <Typography variant="caption" color="text.secondary" noWrap sx={{ flexShrink: 0, lineHeight: '20px' }}>
                {size >= 144 ? 'no category' : '—'}
              </Typography>
            )}
            {item.tags.length > 0 && (
              <Typography
                variant="caption"
                color="text.secondary"
                noWrap
                title={item.tags.join(', ')}
                data-testid="tile-tags"
                sx={{ minWidth: 0, lineHeight: '20px' }}
              >
                {item.tags.join(', ')}
              </Typography>
            )}
          </Stack>
          <Button
            size="small"
            onClick={(event) => {
              event.stopPropagation();
              onToggleReveal(item.itemId);
            }}
            sx={{ minWidth: 0, px: 0.5, fontSize: '0.7rem', lineHeight: 1.5 }}
          >
            {blurred ? 'Reveal' : 'Conceal'}
          </Button>
        </Stack>
      </Stack>
    </Paper>
  );
});
