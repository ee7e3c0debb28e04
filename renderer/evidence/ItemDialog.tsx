/**
 * One evidence item in full, in two tabs. Details: a larger view (concealed by the same rule as
 * the grid), its hashes and provenance, category and tags with their history, and notes.
 * Purification: the image view of its purification runs (image-view/). Every change goes
 * through the case database, so it lands in the audit log under the examiner's name.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Divider from '@mui/material/Divider';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CategoryCode, EvidenceDetail, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { FilterScoresPanel } from './FilterScoresPanel.tsx';
import { CATEGORY_LABELS } from '../common/category-labels.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';
import { PurificationView } from '../image-view/PurificationView.tsx';
import { PurifyDialog } from '../purify/PurifyDialog.tsx';
import { HashMatchFacts } from './HashMatchFacts.tsx';
import type { ThumbnailLoader } from './thumbnail-loader.ts';

const PREVIEW_EDGE = 1024;

interface ItemDialogProps {
  caseId: string;
  itemId: number;
  blurByDefault: boolean;
  loader: ThumbnailLoader;
  jobs: JobSnapshot[];
  onClose: () => void;
  onChanged: (detail: EvidenceDetail) => void;
  /** A category or tag change, offered for undo like the grid's (use-tag-changes.ts). */
  onUndoable: (tagIds: number[], description: string) => void;
}

type ItemTab = 'details' | 'purification';

export function ItemDialog({ caseId, itemId, blurByDefault, loader, jobs, onClose, onChanged, onUndoable }: ItemDialogProps) {
  const client = useClient();
  const [detail, setDetail] = useState<EvidenceDetail | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(!blurByDefault);
  const [note, setNote] = useState('');
  const [tag, setTag] = useState('');
  const [tab, setTab] = useState<ItemTab | null>(null);
  const [purifying, setPurifying] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    client.call('evidence.get', { caseId, itemId }).then(
      (loaded) => {
        setDetail(loaded);
        // A purified item opens on its image view: that is what the investigator comes back for.
        setTab((current) => current ?? (loaded.purificationRuns > 0 ? 'purification' : 'details'));
      },
      (failure: unknown) => setError(messageOf(failure)),
    );
    loader.load(caseId, itemId, PREVIEW_EDGE, controller.signal).then(setPreview, (failure: unknown) => {
      if (!controller.signal.aborted) setError(messageOf(failure));
    });
    return () => controller.abort();
  }, [client, loader, caseId, itemId]);

  // A new run changes the item's summary (tab label, the grid's purified chip and verdict).
  const runsLoaded = useCallback(
    (count: number) => {
      if (detail && count === detail.purificationRuns) return;
      client.call('evidence.get', { caseId, itemId }).then(
        (loaded) => {
          setDetail(loaded);
          onChanged(loaded);
        },
        (failure: unknown) => setError(messageOf(failure)),
      );
    },
    [client, caseId, itemId, detail, onChanged],
  );

  const apply = async (change: Promise<EvidenceDetail>) => {
    setError(null);
    try {
      const updated = await change;
      setDetail(updated);
      onChanged(updated);
      return true;
    } catch (failure) {
      setError(messageOf(failure));
      return false;
    }
  };
  /** Applies a change that answers the new tags' ids, then offers it for undo. */
  const tagChange = async (change: Promise<{ tagIds: number[] }>, description: string) => {
    let tagIds: number[] = [];
    const applied = await apply(
      change.then((answer) => {
        tagIds = answer.tagIds;
        return client.call('evidence.get', { caseId, itemId });
      }),
    );
    if (applied) onUndoable(tagIds, description);
    return applied;
  };
  const setCategory = (category: CategoryCode) =>
    tagChange(client.call('evidence.setCategory', { caseId, itemIds: [itemId], category }), `${category} given to one item`);
  const addTag = async (event: FormEvent) => {
    event.preventDefault();
    const given = tag.trim();
    if (await tagChange(client.call('evidence.tagItems', { caseId, itemIds: [itemId], tag: given }), `Tag “${given}” given to one item`)) setTag('');
  };
  const addNote = async (event: FormEvent) => {
    event.preventDefault();
    if (await apply(client.call('evidence.addNote', { caseId, itemId, text: note }))) setNote('');
  };

  return (
    <Dialog open onClose={onClose} maxWidth="xl" fullWidth data-testid="item-dialog">
      <DialogTitle sx={{ pb: 0 }}>
        Item #{itemId}
        {detail ? ` — ${detail.originalName}` : ''}
        <Tabs value={tab ?? 'details'} onChange={(_, value: ItemTab) => setTab(value)} sx={{ minHeight: 36, mt: 0.5 }}>
          <Tab value="details" label="Details" sx={{ minHeight: 36, py: 0 }} />
          <Tab
            value="purification"
            label={`Purification${detail && detail.purificationRuns > 0 ? ` (${detail.purificationRuns} run${detail.purificationRuns === 1 ? '' : 's'})` : ''}`}
            sx={{ minHeight: 36, py: 0 }}
          />
        </Tabs>
      </DialogTitle>
      <DialogContent dividers>
        {tab === 'purification' && (
          <PurificationView
            caseId={caseId}
            itemId={itemId}
            blurByDefault={blurByDefault}
            jobs={jobs}
            onPurify={() => setPurifying(true)}
            onRunsLoaded={runsLoaded}
          />
        )}
        {purifying && <PurifyDialog caseId={caseId} itemIds={[itemId]} onClose={() => setPurifying(false)} />}
        <Box sx={{ display: tab === 'purification' ? 'none' : 'block' }}>
          {error && (
            <Alert severity="error" sx={{ mb: 2 }} data-testid="item-error">
              {error}
            </Alert>
          )}
          <Box sx={{ display: 'flex', gap: 3, flexWrap: 'wrap' }}>
            <Stack spacing={1} sx={{ flex: '1 1 420px', alignItems: 'center' }}>
              <Box sx={{ width: '100%', height: 460, bgcolor: '#0b0d10', overflow: 'hidden', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
                {preview ? (
                  <img
                    src={preview}
                    alt={revealed ? (detail?.originalName ?? '') : 'concealed evidence image'}
                    data-testid="item-preview"
                    data-blurred={revealed ? 'false' : 'true'}
                    style={{ maxWidth: '100%', maxHeight: '100%', objectFit: 'contain', filter: revealed ? 'none' : 'blur(24px) grayscale(1)' }}
                  />
                ) : (
                  <Typography color="text.secondary">loading…</Typography>
                )}
              </Box>
              <Button size="small" onClick={() => setRevealed((current) => !current)}>
                {revealed ? 'Conceal' : 'Reveal'}
              </Button>
            </Stack>
            {detail && (
              <Stack spacing={2} sx={{ flex: '1 1 380px', minWidth: 0 }}>
                <Facts detail={detail} />
                <HashMatchFacts detail={detail} />
                <FilterScoresPanel detail={detail} />
                <Divider />
                <Box>
                  <Typography variant="subtitle2" gutterBottom>
                    Category
                  </Typography>
                  <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
                    {(Object.keys(CATEGORY_LABELS) as CategoryCode[]).map((code) => (
                      <Tooltip key={code} title={CATEGORY_LABELS[code]}>
                        <Chip
                          label={code}
                          color={detail.category === code ? 'secondary' : 'default'}
                          variant={detail.category === code ? 'filled' : 'outlined'}
                          onClick={() => void setCategory(code)}
                        />
                      </Tooltip>
                    ))}
                  </Stack>
                </Box>
                <Box component="form" onSubmit={addTag}>
                  <Typography variant="subtitle2" gutterBottom>
                    Tags
                  </Typography>
                  <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap', mb: 1 }} data-testid="item-tags">
                    {detail.tags.length === 0 && (
                      <Typography variant="body2" color="text.secondary">
                        none
                      </Typography>
                    )}
                    {detail.tags.map((value) => (
                      <Chip key={value} size="small" label={value} />
                    ))}
                  </Stack>
                  <Stack direction="row" spacing={1}>
                    <TextField
                      size="small"
                      label="Add a tag"
                      value={tag}
                      onChange={(event) => setTag(event.target.value)}
                      sx={{ flex: 1 }}
                      slotProps={{ htmlInput: { 'data-testid': 'item-tag-input' } }}
                    />
                    <Button type="submit" disabled={!tag.trim()}>
                      Add tag
                    </Button>
                  </Stack>
                </Box>
                <Box component="form" onSubmit={addNote}>
                  <Typography variant="subtitle2" gutterBottom>
                    Notes
                  </Typography>
                  <Stack spacing={1} sx={{ mb: 1 }} data-testid="item-notes">
                    {detail.notes.length === 0 && (
                      <Typography variant="body2" color="text.secondary">
                        none
                      </Typography>
                    )}
                    {detail.notes.map((entry, index) => (
                      <Box key={index}>
                        <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
                          {entry.text}
                        </Typography>
                        <Typography variant="caption" color="text.secondary">
                          {entry.examiner}, {formatTime(entry.createdAt)}
                        </Typography>
                      </Box>
                    ))}
                  </Stack>
                  <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
                    <TextField
                      size="small"
                      label="Add a note"
                      multiline
                      maxRows={6}
                      value={note}
                      onChange={(event) => setNote(event.target.value)}
                      sx={{ flex: 1 }}
                      slotProps={{ htmlInput: { 'data-testid': 'item-note-input' } }}
                    />
                    <Button type="submit" disabled={!note.trim()}>
                      Add note
                    </Button>
                  </Stack>
                </Box>
                <History detail={detail} />
              </Stack>
            )}
          </Box>
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

function Facts({ detail }: { detail: EvidenceDetail }) {
  const rows: [string, string][] = [
    ['Original', detail.originalPath],
    ['Image', `${detail.width} × ${detail.height} ${detail.mediaType}, ${detail.sizeBytes.toLocaleString('en')} bytes`],
    ['SHA-256', detail.sha256],
    ['MD5', detail.md5],
    ['PDQ', `${detail.pdqHash} (quality ${detail.pdqQuality})`],
    ['Imported', `${formatTime(detail.importedAt)} by ${detail.importedBy}`],
    ...(detail.decodeNotes.length > 0 ? [['Decoding', detail.decodeNotes.join('; ')] as [string, string]] : []),
  ];
  return (
    <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5 }} data-testid="item-facts">
      {rows.map(([label, value]) => (
        <Box key={label} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            {label}
          </Typography>
          <Typography
            component="dd"
            variant="body2"
            sx={{ m: 0, fontFamily: label === 'Original' || label === 'Image' || label === 'Imported' ? undefined : 'monospace', overflowWrap: 'anywhere' }}
          >
            {value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function History({ detail }: { detail: EvidenceDetail }) {
  if (detail.tagHistory.length === 0) return null;
  return (
    <Box>
      <Typography variant="subtitle2" gutterBottom>
        History
      </Typography>
      {detail.tagHistory.map((entry, index) => (
        <Typography key={index} variant="caption" component="div" color="text.secondary" data-testid="item-history-entry">
          {formatTime(entry.createdAt)} · {entry.examiner} · {entry.kind === 'category' ? `category ${entry.value}` : `tag “${entry.value}”`}
          {entry.comment ? ` (${entry.comment})` : ''}
          {entry.reversed ? ' · undone' : ''}
        </Typography>
      ))}
    </Box>
  );
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
