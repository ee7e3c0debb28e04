/**
 * The evidence grid, virtualised by rows (@tanstack/react-virtual) so that 10,000 items cost as
 * much as the few rows on screen. Keys, as in the investigators' current tools: 0-5 give the
 * selected items CAT-0..CAT-5, arrows move, space reveals or conceals, Enter (or a double
 * click) opens the item, Ctrl/Cmd+A selects all, P purifies the selection. A change to more
 * than one item is confirmed first, and Ctrl/Cmd+Z undoes the latest (use-tag-changes.ts).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { CategoryCode, EvidenceSummary } from '../../main/ipc/contract/index.ts';
import { CATEGORY_LABELS } from '../common/category-labels.ts';
import { BulkTagButton } from './BulkTagButton.tsx';
import { EvidenceTile, TILE_CAPTION_HEIGHT } from './EvidenceTile.tsx';
import type { ThumbnailLoader } from './thumbnail-loader.ts';
import type { TileGrouping } from './TriageChips.tsx';

const GAP = 8;

interface EvidenceGridProps {
  caseId: string;
  items: EvidenceSummary[];
  /** Items a failed verification found a problem on: their tiles are marked. */
  flaggedItemIds: ReadonlySet<number>;
  thumbSize: number;
  /** The class whose filter score orders the grid, if any: the tiles show it. */
  scoreClass: string | null;
  blurByDefault: boolean;
  loader: ThumbnailLoader;
  onSetCategory: (itemIds: number[], category: CategoryCode) => Promise<void>;
  onOpenItem: (itemId: number) => void;
  /** Bulk action: purify these items (the case screen asks which bundle). */
  onPurify: (itemIds: number[]) => void;
  /** Bulk action: one user tag for these items; resolves true when it was given. */
  onTagItems: (itemIds: number[], tag: string) => Promise<boolean>;
  /** When near-duplicates are grouped: each tile's group (TriageChips.tsx). */
  groupingOf?: (itemId: number) => TileGrouping | null;
}

export function EvidenceGrid({
  caseId,
  items,
  flaggedItemIds,
  thumbSize,
  scoreClass,
  blurByDefault,
  loader,
  onSetCategory,
  onOpenItem,
  onPurify,
  onTagItems,
  groupingOf,
}: EvidenceGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(scrollRef);
  const columns = Math.max(1, Math.floor((width + GAP) / (thumbSize + GAP)));
  // The columns share the whole width (tiles at least the chosen size), so no empty band is left on the right.
  const tileSize = width > 0 ? Math.max(thumbSize, Math.floor((width + GAP) / columns) - GAP) : thumbSize;
  const rows = Math.ceil(items.length / columns);
  const rowHeight = tileSize + TILE_CAPTION_HEIGHT + GAP;

  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [focusIndex, setFocusIndex] = useState(0);
  // Per-image choice, the opposite of the global setting: revealed when blurring, concealed when not.
  const [toggled, setToggled] = useState<ReadonlySet<number>>(new Set());
  useEffect(() => setToggled(new Set()), [blurByDefault]);

  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 2 });
  useEffect(() => virtualizer.measure(), [virtualizer, rowHeight]);

  const toggleReveal = useCallback((itemId: number) => setToggled((current) => flip(current, itemId)), []);
  const clickTile = useCallback(
    (itemId: number, event: MouseEvent) => {
      const index = items.findIndex((item) => item.itemId === itemId);
      setFocusIndex(index);
      if (event.shiftKey) {
        const [from, to] = [Math.min(index, focusIndex), Math.max(index, focusIndex)];
        setSelected(new Set(items.slice(from, to + 1).map((item) => item.itemId)));
      } else if (event.ctrlKey || event.metaKey) {
        setSelected((current) => flip(current, itemId));
      } else {
        setSelected(new Set([itemId]));
      }
      scrollRef.current?.focus();
    },
    [items, focusIndex],
  );

  const onKeyDown = (event: KeyboardEvent) => {
    if (items.length === 0) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    if (/^[0-5]$/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const targets = selected.size > 0 ? [...selected] : [items[focusIndex]?.itemId].filter((id): id is number => id !== undefined);
      if (targets.length > 0) void onSetCategory(targets, `CAT-${event.key}` as CategoryCode);
      event.preventDefault();
    } else if (event.key in moves) {
      const next = Math.min(items.length - 1, Math.max(0, focusIndex + moves[event.key]));
      setFocusIndex(next);
      if (!event.shiftKey) setSelected(new Set([items[next].itemId]));
      else setSelected((current) => new Set(current).add(items[next].itemId));
      virtualizer.scrollToIndex(Math.floor(next / columns));
      event.preventDefault();
    } else if (event.key === 'Enter') {
      const item = items[focusIndex];
      if (item) onOpenItem(item.itemId);
      event.preventDefault();
    } else if (event.key === ' ') {
      const item = items[focusIndex];
      if (item) toggleReveal(item.itemId);
      event.preventDefault();
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      setSelected(new Set(items.map((item) => item.itemId)));
      event.preventDefault();
    } else if ((event.key === 'p' || event.key === 'P') && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const targets = selected.size > 0 ? [...selected] : [items[focusIndex]?.itemId].filter((id): id is number => id !== undefined);
      if (targets.length > 0) onPurify(targets);
      event.preventDefault();
    } else if (event.key === 'Escape') {
      setSelected(new Set());
    }
  };

  return (
    <Box sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
      <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', minHeight: 26 }}>
        {selected.size > 0 && (
          <>
            <Typography variant="caption" sx={{ mr: 0.5, whiteSpace: 'nowrap', flexShrink: 0 }} data-testid="selection-count">
              {selected.size} selected:
            </Typography>
            {(Object.keys(CATEGORY_LABELS) as CategoryCode[]).map((code) => (
              <Tooltip key={code} title={`Give ${code} (${CATEGORY_LABELS[code]}) to the selection`}>
                <Chip
                  size="small"
                  variant="outlined"
                  label={code}
                  onClick={() => void onSetCategory([...selected], code)}
                  sx={{ fontSize: '0.7rem', height: 22, flexShrink: 0 }}
                />
              </Tooltip>
            ))}
            <Button
              size="small"
              variant="contained"
              onClick={() => onPurify([...selected])}
              sx={{ ml: 0.5, py: 0, minHeight: 22, fontSize: '0.7rem', flexShrink: 0 }}
              data-testid="bulk-purify"
            >
              Purify…
            </Button>
            <BulkTagButton count={selected.size} onTag={(tag) => onTagItems([...selected], tag)} />
            <Box sx={{ width: 8, flexShrink: 0 }} />
          </>
        )}
        <Typography variant="caption" color="text.secondary" noWrap>
          ? lists every key · 0-5 give CAT-0..CAT-5 to the selection · Ctrl+Z undoes the last change · P purifies · arrows move · space reveals · Enter opens ·
          Ctrl/Shift+click or Ctrl+A select several
        </Typography>
      </Stack>
      <Box
        ref={scrollRef}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="evidence-grid"
        sx={{
          flex: 1,
          minHeight: 0,
          overflow: 'auto',
          outline: 'none',
          '&:focus-visible': { boxShadow: (theme) => `inset 0 0 0 2px ${theme.palette.primary.main}` },
        }}
      >
        <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualizer.getVirtualItems().map((row) => (
            <Box key={row.key} sx={{ position: 'absolute', top: 0, left: 0, transform: `translateY(${row.start}px)`, display: 'flex', gap: `${GAP}px` }}>
              {items.slice(row.index * columns, row.index * columns + columns).map((item, column) => (
                <EvidenceTile
                  key={item.itemId}
                  caseId={caseId}
                  item={item}
                  size={tileSize}
                  scoreClass={scoreClass}
                  blurred={blurByDefault !== toggled.has(item.itemId)}
                  selected={selected.has(item.itemId)}
                  flagged={flaggedItemIds.has(item.itemId)}
                  focused={row.index * columns + column === focusIndex}
                  loader={loader}
                  onClick={clickTile}
                  onOpen={onOpenItem}
                  onToggleReveal={toggleReveal}
                  grouping={groupingOf?.(item.itemId) ?? null}
                />
              ))}
            </Box>
          ))}
        </Box>
      </Box>
    </Box>
  );
}

function flip(set: ReadonlySet<number>, value: number): ReadonlySet<number> {
  const next = new Set(set);
  if (!next.delete(value)) next.add(value);
  return next;
}

function useElementWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    setWidth(element.clientWidth);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
