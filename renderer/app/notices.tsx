/**
 * Errors and confirmations as short messages in a corner stack. Every failed call ends up here
 * (or inline next to the form that caused it), so nothing fails silently.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { CallError, messageOf } from '../client/workstation-client.ts';
import { useClient } from './client-context.tsx';

interface Notice {
  id: number;
  severity: 'error' | 'success' | 'info';
  message: string;
  action?: NoticeAction;
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

  const push = useCallback((severity: Notice['severity'], message: string, action?: NoticeAction) => {
    const id = nextNoticeId++;
    setNotices((current) => [...current.slice(-3), { id, severity, message, ...(action ? { action } : {}) }]);
    if (severity !== 'error') setTimeout(() => setNotices((current) => current.filter((notice) => notice.id !== id)), SHOWN_MS);
  }, []);
  const value = useMemo<Notices>(
    () => ({
      // A lost connection has its own banner; repeating it for every call that failed with it helps nobody.
      reportError: (error) => {
        if (!(error instanceof CallError && error.kind === 'disconnected')) push('error', messageOf(error));
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
      </Box>
      <Stack spacing={1} sx={{ position: 'fixed', bottom: 16, left: 16, zIndex: 2000, maxWidth: 560 }}>
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
              ) : undefined
            }
          >
            {notice.message}
          </Alert>
        ))}
      </Stack>
    </NoticeContext.Provider>
  );
}

export function useNotices(): Notices {
  const notices = useContext(NoticeContext);
  if (!notices) throw new Error('useNotices outside NoticeProvider');
  return notices;
}
