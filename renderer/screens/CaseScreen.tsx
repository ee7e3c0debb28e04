/** One open case: import, filters (category, tags, purified state, verdict, hash lists, suspected evasion), search and order, thumbnail size, the evidence grid and its bulk purify. */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Slider from '@mui/material/Slider';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppState, CaseFilterModel, CaseSummary, CategoryCode, EvidenceDetail, EvidenceSummary, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { CATEGORY_LABELS } from '../common/category-labels.ts';
import { useClient } from '../app/client-context.tsx';
import { CategoryLegend } from '../evidence/CategoryBadge.tsx';
import { ConfirmBulkDialog } from '../evidence/ConfirmBulkDialog.tsx';
import { EvasionControls, type EvasionFilter } from '../evidence/EvasionControls.tsx';
import { useTagChanges } from '../evidence/use-tag-changes.ts';
import { VerificationBanner } from './VerificationBanner.tsx';
import { useNotices } from '../app/notices.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { EvidenceGrid } from '../evidence/EvidenceGrid.tsx';
import { DEFAULT_ORDER, GridOrderBar, type GridOrder } from '../evidence/GridOrderBar.tsx';
import { ItemDialog } from '../evidence/ItemDialog.tsx';
import { ThumbnailLoader } from '../evidence/thumbnail-loader.ts';
import { useRememberedNumber } from '../app/remembered.ts';
import { PurifyDialog } from '../purify/PurifyDialog.tsx';
import { CaseActions } from './CaseActions.tsx';
import { groupNearDuplicates, membersCovered } from '../evidence/near-duplicate-view.ts';
import { hashMatchQuery, TriageControls, type HashListFilter } from '../evidence/TriageControls.tsx';
import { ImportBar } from './ImportBar.tsx';
import { NotImportedFiles } from './NotImportedFiles.tsx';

type Filter = 'all' | 'uncategorised' | CategoryCode;
type PurifiedFilter = 'any' | 'purified' | 'not-purified';
/** '' or '<stage>:<class>', e.g. 'before:Porn'. */
type VerdictFilter = string;
/** Jobs whose end changes what the grid shows. */
const RELOADING_KINDS = new Set(['import', 'purify', 'purify-on-workers', 'verify']);
interface CaseScreenProps {
  caseSummary: CaseSummary;
  state: AppState;
  blurByDefault: boolean;
  jobs: JobSnapshot[];
  onClose: () => void;
}

export function CaseScreen({ caseSummary, state, blurByDefault, jobs, onClose }: CaseScreenProps) {
  const client = useClient();
  const { reportError } = useNotices();
  const { caseId } = caseSummary;
  const [items, setItems] = useState<EvidenceSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>('all');
  const [tagFilter, setTagFilter] = useState('');
  const tags = useMemo(
    () =>
      tagFilter
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
    [tagFilter],
  );
  // Kept between reloads: an investigator who prefers small tiles should not have to set it every time.
  const [thumbSize, setThumbSize] = useRememberedNumber('thumbnail-size', 160, 96, 320);
  const [purifiedFilter, setPurifiedFilter] = useState<PurifiedFilter>('any');
  const [verdictFilter, setVerdictFilter] = useState<VerdictFilter>('');
  const [order, setOrder] = useState<GridOrder>(DEFAULT_ORDER);
  // Only the classes of the filters that scored this case's items, not every registered model's.
  const [filterModels, setFilterModels] = useState<CaseFilterModel[]>([]);
  const verdictClasses = useMemo(() => [...new Set(filterModels.flatMap((model) => model.classNames))].sort(), [filterModels]);
  const [hashListFilter, setHashListFilter] = useState<HashListFilter>('');
  const [listCategories, setListCategories] = useState<string[]>([]);
  const [grouped, setGrouped] = useState(false);
  const [expandedGroups, setExpandedGroups] = useState<ReadonlySet<number>>(new Set());
  const [purifyItemIds, setPurifyItemIds] = useState<number[] | null>(null);
  const [evasionFilter, setEvasionFilter] = useState<EvasionFilter>('any');
  const filtering =
    filter !== 'all' ||
    tags.length > 0 ||
    purifiedFilter !== 'any' ||
    verdictFilter !== '' ||
    hashListFilter !== '' ||
    order.search !== '' ||
    evasionFilter !== 'any';
  const [summary, setSummary] = useState(caseSummary);
  const [openItemId, setOpenItemId] = useState<number | null>(null);
  const loader = useMemo(() => new ThumbnailLoader(client), [client]);
  const itemChanged = useCallback((detail: EvidenceDetail) => {
    setItems(
      (current) =>
        current?.map((item) =>
          item.itemId === detail.itemId
            ? {
                ...item,
                category: detail.category,
                tags: detail.tags,
                purificationRuns: detail.purificationRuns,
                verdictBefore: detail.verdictBefore,
                verdictAfter: detail.verdictAfter,
                filterScores: detail.filterScores,
                evasion: detail.evasion,
              }
            : item,
        ) ?? null,
    );
  }, []);

  /** Resolves once the grid shows the new list, so that a message about a change comes after it. */
  const load = useCallback(async (): Promise<void> => {
    const query = filter === 'all' ? {} : filter === 'uncategorised' ? { uncategorised: true } : { category: filter };
    const [stage, topClass] = verdictFilter.split(':') as ['before' | 'after', string];
    client.call('cases.get', { caseId }).then(setSummary, reportError);
    client.call('evidence.filterModels', { caseId }).then(setFilterModels, reportError);
    await client
      .call('evidence.list', {
        caseId,
        ...query,
        ...(tags.length > 0 ? { tags } : {}),
        ...(purifiedFilter === 'any' ? {} : { purified: purifiedFilter === 'purified' }),
        ...(verdictFilter ? { verdict: { stage, topClass } } : {}),
        ...hashMatchQuery(hashListFilter),
        ...(order.search ? { search: order.search } : {}),
        sort: order.sort,
        ...(evasionFilter === 'suspected' ? { suspectedEvasion: true } : {}),
      })
      .then(
        (list) => {
          setItems(list);
          // The categories the lists gave, as they are seen: the filter offers each once known.
          setListCategories((known) => [...new Set([...known, ...list.flatMap((item) => item.hashMatch?.categories ?? [])])].sort());
          setLoadError(null);
        },
        (error: unknown) => setLoadError(messageOf(error)),
      );
  }, [client, caseId, filter, tags, purifiedFilter, verdictFilter, hashListFilter, order, evasionFilter, reportError]);
  useEffect(() => void load(), [load]);

  // Reload when an import or purification of this case finishes (completed or stopped part-way).
  const seenFinished = useRef(new Set<number>(jobs.filter((job) => job.finishedAt).map((job) => job.jobId)));
  useEffect(() => {
    const finished = jobs.filter((job) => job.caseId === caseId && RELOADING_KINDS.has(job.kind) && job.finishedAt && !seenFinished.current.has(job.jobId));
    if (finished.length === 0) return;
    finished.forEach((job) => seenFinished.current.add(job.jobId));
    void load();
  }, [jobs, caseId, load]);

  const { setCategory, tagItems, remember, question, onAnswer } = useTagChanges(caseId, load);
  // Grouped: a folded group's tile stands for its members, in the grid and in every bulk action.
  const view = useMemo(() => (grouped && items ? groupNearDuplicates(items, expandedGroups) : null), [grouped, items, expandedGroups]);
  const covered = useCallback((ids: number[]) => (view ? membersCovered(view, expandedGroups, ids) : ids), [view, expandedGroups]);
  const groupingOf = useCallback(
    (itemId: number) => {
      const group = view?.groupOf.get(itemId);
      if (!view || group === undefined) return null;
      const toggle = () =>
        setExpandedGroups((current) => (current.has(group) ? new Set([...current].filter((id) => id !== group)) : new Set(current).add(group)));
      return { size: view.membersOf.get(itemId)!.length, expanded: expandedGroups.has(group), onToggle: toggle };
    },
    [view, expandedGroups],
  );
  const verification = summary.lastVerification;
  const flaggedItemIds = useMemo(() => new Set(verification && !verification.ok ? verification.affectedItemIds : []), [verification]);

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0, p: 2, gap: 2 }}>
      <Stack sx={{ alignItems: 'center' }} direction="row" spacing={2}>
        <Button onClick={onClose}>← Cases</Button>
        <Typography variant="h6" data-testid="case-heading">
          Case {caseSummary.number}
          {caseSummary.title ? ` — ${caseSummary.title}` : ''}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }}>
          {items ? `${items.length} item${items.length === 1 ? '' : 's'}${filtering ? ' shown' : ''}` : ''}
        </Typography>
        <CaseActions caseId={caseId} blurByDefault={blurByDefault} />
      </Stack>
      <Stack sx={{ alignItems: 'flex-start', flexWrap: 'wrap' }} direction="row" spacing={2} useFlexGap>
        <ImportBar caseId={caseId} state={state} />
        <NotImportedFiles caseId={caseId} jobs={jobs} />
        <Stack sx={{ width: 180 }}>
          <Typography variant="caption" color="text.secondary">
            Thumbnail size
          </Typography>
          <Slider
            size="small"
            min={96}
            max={320}
            step={16}
            value={thumbSize}
            onChange={(_, value) => setThumbSize(value as number)}
            aria-label="Thumbnail size"
          />
        </Stack>
      </Stack>
      {/* Filters on their own row: they narrow the grid, the row above fills it. */}
      <Stack sx={{ alignItems: 'flex-start', flexWrap: 'wrap' }} direction="row" spacing={2} useFlexGap>
        <GridOrderBar order={order} filterModels={filterModels} onChange={setOrder} />
        <TextField select size="small" label="Show" value={filter} onChange={(event) => setFilter(event.target.value as Filter)} sx={{ width: 220 }}>
          <MenuItem value="all">All items</MenuItem>
          <MenuItem value="uncategorised">No category yet</MenuItem>
          {Object.entries(CATEGORY_LABELS).map(([code, label]) => (
            <MenuItem key={code} value={code}>
              {code}: {label}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          size="small"
          label="With tags"
          placeholder="tag, tag"
          value={tagFilter}
          onChange={(event) => setTagFilter(event.target.value)}
          sx={{ width: 170 }}
          slotProps={{ htmlInput: { 'data-testid': 'tag-filter', spellCheck: false } }}
        />
        <TextField
          select
          size="small"
          label="Purified"
          value={purifiedFilter}
          onChange={(event) => setPurifiedFilter(event.target.value as PurifiedFilter)}
          sx={{ width: 150 }}
        >
          <MenuItem value="any">Any</MenuItem>
          <MenuItem value="purified">Purified</MenuItem>
          <MenuItem value="not-purified">Not purified yet</MenuItem>
        </TextField>
        <TextField select size="small" label="Verdict" value={verdictFilter} onChange={(event) => setVerdictFilter(event.target.value)} sx={{ width: 250 }}>
          <MenuItem value="">Any verdict</MenuItem>
          {(['before', 'after'] as const).flatMap((stage) =>
            verdictClasses.map((name) => (
              <MenuItem key={`${stage}:${name}`} value={`${stage}:${name}`}>
                {stage === 'before' ? 'Before' : 'After'} purification: {name}
              </MenuItem>
            )),
          )}
        </TextField>
        <TriageControls filter={hashListFilter} onFilter={setHashListFilter} categories={listCategories} grouped={grouped} onGrouped={setGrouped} />
        <EvasionControls filter={evasionFilter} onFilter={setEvasionFilter} />
      </Stack>
      {summary.unfinishedImports.map((job) => (
        <Alert
          key={job.caseJobId}
          severity="warning"
          data-testid="unfinished-import"
          action={
            <Button
              color="inherit"
              size="small"
              onClick={() => client.call('jobs.start', { kind: 'import', caseId, resumeCaseJobId: job.caseJobId }).catch(reportError)}
            >
              Resume
            </Button>
          }
        >
          Import {job.caseJobId} was {job.state} after {job.done} of {job.total ?? '?'} files. Resuming skips the files already dealt with.
        </Alert>
      ))}
      {summary.unfinishedPurifications.map((job) => (
        <Alert
          key={`purify-${job.caseJobId}`}
          severity="warning"
          data-testid="unfinished-purification"
          action={
            <Button
              color="inherit"
              size="small"
              onClick={() => client.call('jobs.start', { kind: 'purify', caseId, resumeCaseJobId: job.caseJobId }).catch(reportError)}
            >
              Resume
            </Button>
          }
        >
          Purification {job.caseJobId} was {job.state} after {job.done} of {job.total ?? '?'} items. Resuming purifies the rest with the same bundle and content
          filter.
        </Alert>
      ))}
      {verification && !verification.ok && <VerificationBanner outcome={verification} />}
      {loadError && <Alert severity="error">{loadError}</Alert>}
      {items && items.length > 0 && <CategoryLegend />}
      {items && items.length === 0 && (
        <Typography color="text.secondary" data-testid="empty-case">
          {filtering ? 'No item matches this filter.' : 'No evidence yet: import a folder of images.'}
        </Typography>
      )}
      {items && items.length > 0 && (
        <EvidenceGrid
          caseId={caseId}
          items={view ? view.items : items}
          flaggedItemIds={flaggedItemIds}
          thumbSize={thumbSize}
          scoreClass={order.sort.by === 'score' ? (order.sort.className ?? null) : null}
          blurByDefault={blurByDefault}
          loader={loader}
          onSetCategory={(ids, category) => setCategory(covered(ids), category)}
          onOpenItem={setOpenItemId}
          onPurify={(ids) => setPurifyItemIds(covered(ids))}
          onTagItems={(ids, tag) => tagItems(covered(ids), tag)}
          groupingOf={view ? groupingOf : undefined}
        />
      )}
      {openItemId !== null && (
        <ItemDialog
          caseId={caseId}
          itemId={openItemId}
          blurByDefault={blurByDefault}
          loader={loader}
          jobs={jobs}
          onClose={() => setOpenItemId(null)}
          onChanged={itemChanged}
          onUndoable={remember}
        />
      )}
      <ConfirmBulkDialog question={question} onAnswer={onAnswer} />
      {purifyItemIds !== null && <PurifyDialog caseId={caseId} itemIds={purifyItemIds} onClose={() => setPurifyItemIds(null)} />}
    </Box>
  );
}
