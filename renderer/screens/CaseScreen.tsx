/** One open case: import, filters, thumbnail size, and the evidence grid. */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Slider from '@mui/material/Slider';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CATEGORY_LABELS, type AppState, type CaseSummary, type CategoryCode, type EvidenceDetail, type EvidenceSummary, type JobSnapshot } from '../../main/ipc/contract.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { EvidenceGrid } from '../evidence/EvidenceGrid.tsx';
import { ItemDialog } from '../evidence/ItemDialog.tsx';
import { ThumbnailLoader } from '../evidence/thumbnail-loader.ts';
import { CaseActions } from './CaseActions.tsx';
import { ImportBar } from './ImportBar.tsx';

type Filter = 'all' | 'uncategorised' | CategoryCode;

interface CaseScreenProps {
  caseSummary: CaseSummary;
  state: AppState;
  blurByDefault: boolean;
  jobs: JobSnapshot[];
  onClose: () => void;
}

export function CaseScreen({ caseSummary, state, blurByDefault, jobs, onClose }: CaseScreenProps) {
  const client = useClient();
  const { reportError, inform } = useNotices();
  const { caseId } = caseSummary;
  const [items, setItems] = useState<EvidenceSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>('all');
  const [tagFilter, setTagFilter] = useState('');
  const tags = useMemo(() => tagFilter.split(',').map((tag) => tag.trim()).filter(Boolean), [tagFilter]);
  const [thumbSize, setThumbSize] = useState(160);

  const [summary, setSummary] = useState(caseSummary);
  const [openItemId, setOpenItemId] = useState<number | null>(null);
  const loader = useMemo(() => new ThumbnailLoader(client), [client]);
  const itemChanged = useCallback((detail: EvidenceDetail) => {
    setItems((current) => current?.map((item) => (item.itemId === detail.itemId ? { ...item, category: detail.category, tags: detail.tags } : item)) ?? null);
  }, []);

  const load = useCallback(() => {
    const query = filter === 'all' ? {} : filter === 'uncategorised' ? { uncategorised: true } : { category: filter };
    client.call('cases.get', { caseId }).then(setSummary, reportError);
    client.call('evidence.list', { caseId, ...query, ...(tags.length > 0 ? { tags } : {}) }).then(
      (list) => {
        setItems(list);
        setLoadError(null);
      },
      (error: unknown) => setLoadError(messageOf(error)),
    );
  }, [client, caseId, filter, tags, reportError]);
  useEffect(load, [load]);

  // Reload when an import into this case finishes (completed or cancelled part-way).
  const seenFinished = useRef(new Set<number>(jobs.filter((job) => job.finishedAt).map((job) => job.jobId)));
  useEffect(() => {
    const finished = jobs.filter((job) => job.caseId === caseId && job.kind === 'import' && job.finishedAt && !seenFinished.current.has(job.jobId));
    if (finished.length === 0) return;
    finished.forEach((job) => seenFinished.current.add(job.jobId));
    load();
  }, [jobs, caseId, load]);

  const setCategory = useCallback(
    async (itemIds: number[], category: CategoryCode) => {
      try {
        await client.call('evidence.setCategory', { caseId, itemIds, category });
        setItems((current) => current?.map((item) => (itemIds.includes(item.itemId) ? { ...item, category } : item)) ?? null);
        inform(`${category} (${CATEGORY_LABELS[category]}) given to ${itemIds.length === 1 ? 'one item' : `${itemIds.length} items`}`);
      } catch (error) {
        reportError(error);
      }
    },
    [client, caseId, inform, reportError],
  );

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0, p: 2, gap: 2 }}>
      <Stack sx={{ alignItems: 'center' }} direction="row" spacing={2}>
        <Button onClick={onClose}>← Cases</Button>
        <Typography variant="h6" data-testid="case-heading">
          Case {caseSummary.number}
          {caseSummary.title ? ` — ${caseSummary.title}` : ''}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }}>
          {items ? `${items.length} item${items.length === 1 ? '' : 's'}${filter === 'all' && tags.length === 0 ? '' : ' shown'}` : ''}
        </Typography>
        <CaseActions caseId={caseId} blurByDefault={blurByDefault} />
      </Stack>
      <Stack sx={{ alignItems: 'flex-start', flexWrap: 'wrap' }} direction="row" spacing={2} useFlexGap>
        <ImportBar caseId={caseId} state={state} />
        <TextField select size="small" label="Show" value={filter} onChange={(event) => setFilter(event.target.value as Filter)} sx={{ width: 230 }}>
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
        <Stack sx={{ width: 180 }}>
          <Typography variant="caption" color="text.secondary">
            Thumbnail size
          </Typography>
          <Slider size="small" min={96} max={320} step={16} value={thumbSize} onChange={(_, value) => setThumbSize(value as number)} aria-label="Thumbnail size" />
        </Stack>
      </Stack>
      {summary.unfinishedImports.map((job) => (
        <Alert
          key={job.caseJobId}
          severity="warning"
          data-testid="unfinished-import"
          action={
            <Button color="inherit" size="small" onClick={() => client.call('jobs.start', { kind: 'import', caseId, resumeCaseJobId: job.caseJobId }).catch(reportError)}>
              Resume
            </Button>
          }
        >
          Import {job.caseJobId} was {job.state} after {job.done} of {job.total ?? '?'} files. Resuming skips the files already dealt with.
        </Alert>
      ))}
      {loadError && <Alert severity="error">{loadError}</Alert>}
      {items && items.length === 0 && (
        <Typography color="text.secondary" data-testid="empty-case">
          {filter === 'all' && tags.length === 0 ? 'No evidence yet: import a folder of images.' : 'No item matches this filter.'}
        </Typography>
      )}
      {items && items.length > 0 && (
        <EvidenceGrid caseId={caseId} items={items} thumbSize={thumbSize} blurByDefault={blurByDefault} loader={loader} onSetCategory={setCategory} onOpenItem={setOpenItemId} />
      )}
      {openItemId !== null && (
        <ItemDialog caseId={caseId} itemId={openItemId} blurByDefault={blurByDefault} loader={loader} onClose={() => setOpenItemId(null)} onChanged={itemChanged} />
      )}
    </Box>
  );
}
