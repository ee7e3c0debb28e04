/** The renderer's entry point: one client (bridge or WebSocket), one React tree. */
import createCache from '@emotion/cache';
import { CacheProvider } from '@emotion/react';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { ClientProvider } from './app/client-context.tsx';
import { ErrorBoundary } from './app/ErrorBoundary.tsx';
import { NoticeProvider } from './app/notices.tsx';
import { workstationTheme } from './app/theme.ts';
import { connectWorkstation } from './client/connect.ts';

const client = connectWorkstation();
// The host writes a fresh nonce into the page for its CSP; emotion's style elements must carry it.
const styleNonce = document.querySelector('meta[name="acsr-style-nonce"]')?.getAttribute('content') ?? undefined;
const styleCache = createCache({ key: 'acsr', ...(styleNonce ? { nonce: styleNonce } : {}), prepend: true });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CacheProvider value={styleCache}>
      <ThemeProvider theme={workstationTheme}>
        <CssBaseline />
        <ErrorBoundary>
          <ClientProvider client={client}>
            <NoticeProvider>
              <App />
            </NoticeProvider>
          </ClientProvider>
        </ErrorBoundary>
      </ThemeProvider>
    </CacheProvider>
  </StrictMode>,
);
