/**
 * The browser host's folder picker: a web page cannot learn real paths from the system's file
 * picker, so the workstation lists folders itself (folders.browse), inside the allowed roots only
 * (the home folder and any roots `acsr serve --browse-root` was given). A path can also be typed,
 * `~/...` included; the main side checks everything this sends.
 */
import Alert from '@mui/material/Alert';
import Breadcrumbs from '@mui/material/Breadcrumbs';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { FolderListing } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { messageOf } from '../client/workstation-client.ts';

export function FolderBrowserDialog(props: {
  open: boolean;
  title: string;
  start?: string;
  chooseLabel?: string;
  onChoose: (path: string) => void;
  onClose: () => void;
}) {
  const client = useClient();
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);

  const go = useCallback(
    async (path?: string) => {
      try {
        const next = await client.call('folders.browse', path === undefined ? {} : { path });
        setListing(next);
        setTyped(next.path ?? '');
        setError(null);
      } catch (failure) {
        setError(messageOf(failure));
      }
    },
    [client],
  );
  useEffect(() => {
    if (!props.open) return;
    // Starts where the field points when that folder can be browsed, else at the roots.
    void (async () => {
      const start = props.start?.trim();
      if (start) {
        try {
          const next = await client.call('folders.browse', { path: start });
          setListing(next);
          setTyped(next.path ?? '');
          setError(null);
          return;
        } catch {
          // Not browsable (outside the roots, or gone): the roots instead.
        }
      }
      await go(start ? undefined : '~');
    })();
  }, [props.open, props.start, client, go]);

  const submitTyped = (event: FormEvent) => {
    event.preventDefault();
    // React carries submit events up through the portal: the form around the field must not see this one.
    event.stopPropagation();
    if (typed.trim()) void go(typed.trim());
  };
  const root = listing?.path ? listing.roots.find((candidate) => isUnder(listing.path!, candidate.path)) : undefined;
  const crumbs = root && listing?.path ? crumbsOf(root.path, listing.path) : [];

  return (
    <Dialog open={props.open} onClose={props.onClose} maxWidth="sm" fullWidth data-testid="folder-browser">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        <Stack spacing={1.5}>
          <Stack direction="row" spacing={1} component="form" onSubmit={submitTyped} sx={{ pt: 1 }}>
            <TextField
              size="small"
              label="Go to folder (full path or ~/…)"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              sx={{ flex: 1 }}
              slotProps={{ htmlInput: { 'data-testid': 'folder-browser-path', spellCheck: false } }}
            />
            <Button type="submit" variant="outlined">
              Go
            </Button>
          </Stack>
          {error && (
            <Alert severity="error" data-testid="folder-browser-error">
              {error}
            </Alert>
          )}
          {listing && (
            <>
              {listing.path === null ? (
                <Typography variant="body2" color="text.secondary">
                  Folders you may browse
                </Typography>
              ) : (
                <Breadcrumbs maxItems={6} aria-label="Folder">
                  <Link component="button" underline="hover" onClick={() => void go()}>
                    All places
                  </Link>
                  {crumbs.map((crumb, index) =>
                    index === crumbs.length - 1 ? (
                      <Typography key={crumb.path} color="text.primary" sx={{ wordBreak: 'break-all' }}>
                        {crumb.name}
                      </Typography>
                    ) : (
                      <Link key={crumb.path} component="button" underline="hover" onClick={() => void go(crumb.path)} sx={{ wordBreak: 'break-all' }}>
                        {crumb.name}
                      </Link>
                    ),
                  )}
                </Breadcrumbs>
              )}
              <List dense sx={{ maxHeight: 320, overflow: 'auto', border: 1, borderColor: 'divider', borderRadius: 1 }} data-testid="folder-browser-list">
                {listing.parent !== null && (
                  <ListItemButton onClick={() => void go(listing.parent!)}>
                    <ListItemText primary="↑ Up one folder" />
                  </ListItemButton>
                )}
                {listing.folders.map((folder) => (
                  <ListItemButton key={folder.path} onClick={() => void go(folder.path)} data-testid="folder-browser-entry">
                    <ListItemText primary={`📁 ${folder.name}`} slotProps={{ primary: { sx: { wordBreak: 'break-all' } } }} />
                  </ListItemButton>
                ))}
                {listing.folders.length === 0 && (
                  <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 1 }}>
                    No sub-folders here.
                  </Typography>
                )}
              </List>
              {listing.path !== null && (
                <Typography variant="body2" color="text.secondary" data-testid="folder-browser-summary">
                  {listing.imageFiles === 0
                    ? 'No image files directly in this folder'
                    : `${listing.imageFiles} image file${listing.imageFiles === 1 ? '' : 's'} directly in this folder`}
                  {listing.truncated ? '; only the first sub-folders are listed' : ''}
                </Typography>
              )}
            </>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant="contained" disabled={!listing?.path} onClick={() => listing?.path && props.onChoose(listing.path)} data-testid="folder-browser-choose">
          {props.chooseLabel ?? 'Choose this folder'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/** The root, then each folder below it down to `path`. */
function crumbsOf(root: string, path: string): { name: string; path: string }[] {
  const crumbs = [{ name: root, path: root }];
  const rest = path.slice(root.length).split('/').filter(Boolean);
  let current = root;
  for (const name of rest) {
    current = `${current === '/' ? '' : current}/${name}`;
    crumbs.push({ name, path: current });
  }
  return crumbs;
}
