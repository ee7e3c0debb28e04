/**
 * The part of Electron the shell uses, as a type: the shell receives it as a parameter, so that
 * it type-checks against Electron's own typings and its unit test can hand it a stand-in (the
 * Electron binary cannot be downloaded on the build machines).
 */
import type * as Electron from 'electron';

export type ElectronApi = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'session' | 'dialog'>;
export type { BrowserWindow, BrowserWindowConstructorOptions, IpcMain, IpcMainInvokeEvent, Session, WebContents, WebPreferences } from 'electron';
