/**
 * The Electron shell, as thin as it can be: app lifecycle, one secure window, IPC handlers that
 * forward to the same service worker `acsr serve` uses, and the native folder dialog (the only
 * channel the shell answers itself; job requests may name only folders it returned).
 */
import { resolve } from 'node:path';
import type { JobRequest } from '../ipc/contract/index.ts';
import { createValidatedDispatcher } from '../ipc/validated-dispatch.ts';
import { WorkstationBackend } from '../workstation/workstation-backend.ts';
import { APP_ENTRY_URL, registerAppScheme, serveRendererOverAppScheme } from './app-protocol.ts';
import type { BrowserWindow, ElectronApi } from './electron-api.ts';
import { GrantedPaths } from './granted-paths.ts';
import { hardenSession, hardenWebContents } from './harden-contents.ts';
import { registerIpcHandlers, sendEvent } from './ipc-handlers.ts';
import { mainWindowOptions } from './window-options.ts';

export interface ElectronShellOptions {
  /** Folder holding the case folders. */
  workspace: string;
  rendererDir: string;
  /** The bundled preload script (CommonJS: sandboxed preloads cannot load ES modules). */
  preloadPath: string;
}

export interface ElectronShell {
  window: BrowserWindow;
  backend: WorkstationBackend;
  close(): Promise<void>;
}

/** Call at start-up, before the app is ready; resolves once the window exists. */
export async function startElectronShell(electron: ElectronApi, options: ElectronShellOptions): Promise<ElectronShell> {
  const { app, BrowserWindow, ipcMain, protocol, session, dialog } = electron;
  registerAppScheme(protocol);
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  await app.whenReady();

  hardenSession(session.defaultSession);
  serveRendererOverAppScheme(protocol, options.rendererDir);
  const backend = await WorkstationBackend.start({ workspace: resolve(options.workspace), host: 'electron', nativeFolderDialog: true });
  const window = new BrowserWindow(mainWindowOptions(resolve(options.preloadPath)));

  const granted = new GrantedPaths();
  const dispatch = createValidatedDispatcher(async (channel, input) => {
    if (channel === 'jobs.start') {
      const refusal = granted.refusal(input as JobRequest);
      if (refusal) return { ok: false, error: { kind: 'invalid-input', message: refusal } };
    }
    // Folders come from the native dialog here; the browser host's folder browser is not needed.
    if (channel === 'folders.browse') return { ok: false, error: { kind: 'unavailable', message: 'choose folders with the folder dialog' } };
    if (channel !== 'dialog.chooseFolder') return backend.call(channel, input);
    const { title } = input as { title?: string };
    const chosen = await dialog.showOpenDialog(window, { title: title ?? 'Choose a folder', properties: ['openDirectory'] });
    const path = chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    if (path !== null) granted.grant(path);
    return { ok: true, value: { path } };
  });
  const unregister = registerIpcHandlers(ipcMain, dispatch);
  const stopEvents = backend.onEvent((channel, payload) => sendEvent(window.webContents, channel, payload));

  window.once('ready-to-show', () => window.show());
  await window.loadURL(APP_ENTRY_URL);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      stopEvents();
      unregister();
      await backend.close();
    })());
  app.on('window-all-closed', () => {
    void close().finally(() => app.quit());
  });
  return { window, backend, close };
}
