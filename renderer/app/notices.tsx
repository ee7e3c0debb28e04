/**
 * Errors and confirmations as short messages in a corner stack. Every failed call ends up here
 * (or inline next to the form that caused it), so nothing fails silently.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { CallError, detailsOf, messageOf } from '../client/workstation-client.ts';
import { useClient } from './client-context.tsx';

interface Notice {
  id: number;
  severity: 'error' | 'success' | 'info';
  message: string;
  action?: NoticeAction;
  /** The technical line, shown when the person asks for it. */
  details?: string;
}

/** A button on a message, e.g. "Undo" on the message that confirms a change. */
export interface NoticeAction {
  label: string;
  run: () => void;
}

interface Notices {
  reportError(error: unknown): void;
  inform(message: string, severity?: 'success' | 'info', action?: NoticeAction): void;
}

const NoticeContext = createContext<Notices | null>(null);
const SHOWN_MS = 8000;
let nextNoticeId = 1;

export function NoticeProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [disconnected, setDisconnected] = useState<string | null>(null);

  const [shownDetails, setShownDetails] = useState<ReadonlySet<number>>(new Set());
  const push = useCallback((severity: Notice['severity'], message: string, action?: NoticeAction, details?: string) => {
    const id = nextNoticeId++;
    setNotices((current) => [...current.slice(-3), { id, severity, message, ...(action ? { action } : {}), ...(details ? { details } : {}) }]);
    if (severity !== 'error') setTimeout(() => setNotices((current) => current.filter((notice) => notice.id !== id)), SHOWN_MS);
  }, []);
  const value = useMemo<Notices>(
    () => ({
      // A lost connection has its own banner; repeating it for every call that failed with it helps nobody.
      reportError: (error) => {
        if (!(error instanceof CallError && error.kind === 'disconnected')) push('error', messageOf(error), undefined, detailsOf(error) ?? undefined);
      },
      inform: (message, severity = 'success', action) => push(severity, message, action),
    }),
    [push],
  );

  useEffect(() => client.onDisconnect(setDisconnected), [client]);
  useEffect(() => {
    const onRejection = (event: PromiseRejectionEvent) => value.reportError(event.reason);
    window.addEventListener('unhandledrejection', onRejection);
    return () => window.removeEventListener('unhandledrejection', onRejection);
  }, [value]);

  return (
    <NoticeContext.Provider value={value}>
      {/* The window's frame: the banner (when the host is gone) above whatever screen is shown. */}
      <Box sx={{ height: '100vh', display: 'flex', flexDirection: 'column' }}>
        {disconnected && (
          <Alert severity="error" variant="filled" square data-testid="disconnected">
            {disconnected}
          </Alert>
        )}
        <Box sx={{ flex: 1, minHeight: 0 }}>{children}</Box>
        {/* In the window's flow below the screen, not floating over it: a message never hides a tile.
            Positioned above the dialogs' layer, so a message about a dialog's action is seen too. */}
        <Stack
          spacing={1}
          data-testid="notices"
          sx={{ position: 'relative', zIndex: 2000, px: 2, pb: notices.length ? 1 : 0, maxWidth: 720, display: notices.length ? 'flex' : 'none' }}
        >
          {notices.map((notice) => (
            <Alert
              key={notice.id}
              severity={notice.severity}
              variant="filled"
              data-testid={`notice-${notice.severity}`}
              onClose={() => setNotices((current) => current.filter((candidate) => candidate.id !== notice.id))}
              action={
                notice.action ? (
                  <Button
                    color="inherit"
                    size="small"
                    onClick={() => {
                      setNotices((current) => current.filter((candidate) => candidate.id !== notice.id));
                      notice.action!.run();
                    }}
                  >
                    {notice.action.label}
                  </Button>
                ) : notice.details ? (
                  <Button color="inherit" size="small" onClick={() => setShownDetails((current) => new Set(current).add(notice.id))}>
                    Details
                  </Button>
                ) : undefined
              }
            >
              {notice.message}
              {notice.details && shownDetails.has(notice.id) && (
                <Box component="pre" sx={{ m: 0, mt: 1, fontSize: '0.75rem', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="notice-details">
                  {notice.details}
                </Box>
              )}
            </Alert>
          ))}
        </Stack>
      </Box>
    </NoticeContext.Provider>
  );
}

export function useNotices(): Notices {
  const notices = useContext(NoticeContext);
  if (!notices) throw new Error('useNotices outside NoticeProvider');
  return notices;
}
