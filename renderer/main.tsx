/** The renderer's entry point: one client (bridge or WebSocket), one React tree. */
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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
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
  </StrictMode>,
);
