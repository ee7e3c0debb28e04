/**
 * The keys of the workstation in one dialog, opened with ? anywhere except while typing in a
 * field (there ? is a character), and closed with Escape. The list is the grid's and the
 * window's keys as they are handled (EvidenceGrid.tsx, use-tag-changes.ts, ConfirmBulkDialog.tsx).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { Fragment, useEffect, useState } from 'react';

const KEY_GROUPS: readonly { title: string; keys: readonly [string, string][] }[] = [
  {
    title: 'Evidence grid',
    keys: [
      ['← → ↑ ↓', 'Move between items'],
      ['Shift + arrows', 'Add the next items to the selection'],
      ['Ctrl + click, Shift + click', 'Select several items'],
      ['Ctrl + A', 'Select every item shown'],
      ['Escape', 'Clear the selection'],
      ['Space', 'Reveal or conceal the item under the cursor'],
      ['Enter', 'Open the item'],
      ['0 … 5', 'Give category CAT-0 … CAT-5 to the selection (more than one item asks first)'],
      ['P', 'Purify the selection'],
      ['Ctrl + Z', 'Undo the latest category or tag change'],
    ],
  },
  {
    title: 'Questions and dialogs',
    keys: [
      ['Enter', 'Confirm'],
      ['Escape', 'Cancel or close'],
    ],
  },
  {
    title: 'Image view',
    keys: [
      ['Mouse wheel', 'Zoom every panel together'],
      ['Drag', 'Move every panel together'],
    ],
  },
  { title: 'Anywhere', keys: [['?', 'Show this list of keys']] },
];

/** Typing a ? into a field is typing, not asking for help. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function KeyboardHelp() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      setOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <Dialog open={open} onClose={() => setOpen(false)} maxWidth="sm" fullWidth data-testid="keyboard-help">
      <DialogTitle>Keyboard keys</DialogTitle>
      <DialogContent dividers>
        {/* One grid for every group, so that the meanings line up in one column. */}
        <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 3, rowGap: 0.5, alignItems: 'baseline' }}>
          {KEY_GROUPS.map((group, index) => (
            <Fragment key={group.title}>
              <Typography variant="subtitle2" sx={{ gridColumn: '1 / -1', mt: index === 0 ? 0 : 1.5 }}>
                {group.title}
              </Typography>
              {group.keys.map(([keys, meaning]) => (
                <Fragment key={keys}>
                  <Box component="dt" sx={{ m: 0 }}>
                    <Box
                      component="kbd"
                      sx={{ fontFamily: 'monospace', fontSize: '0.85rem', px: 0.75, py: 0.25, border: 1, borderColor: 'divider', borderRadius: 1 }}
                    >
                      {keys}
                    </Box>
                  </Box>
                  <Typography component="dd" variant="body2" sx={{ m: 0 }}>
                    {meaning}
                  </Typography>
                </Fragment>
              ))}
            </Fragment>
          ))}
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => setOpen(false)} autoFocus>
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
