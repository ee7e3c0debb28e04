/**
 * Electron's entry point (electron-builder's `main`): the real `electron` module handed to the
 * shell. Everything else lives in electron-shell.ts, which is tested without the binary.
 */
import * as electron from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startElectronShell } from './electron-shell.ts';

const distFolder = fileURLToPath(new URL('../../dist/', import.meta.url));

if (!electron.app.requestSingleInstanceLock()) {
  electron.app.quit();
} else {
  startElectronShell(electron, {
    workspace: process.env.ACSR_WORKSPACE ?? join(electron.app.getPath('documents'), 'ACSR cases'),
    rendererDir: join(distFolder, 'renderer'),
    preloadPath: join(distFolder, 'electron', 'preload.cjs'),
  }).catch((error: unknown) => {
    electron.dialog.showErrorBox('ACSR Workstation could not start', error instanceof Error ? error.message : String(error));
    electron.app.exit(1);
  });
}
