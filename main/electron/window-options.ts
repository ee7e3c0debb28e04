/**
 * The one window's options. The renderer is untrusted (it shows evidence and parses nothing
 * but its own bundle, yet a bug there must not reach the file system): context isolation,
 * Chromium's sandbox, no Node anywhere in it, and only the preload's bridge to talk through.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from './electron-api.ts';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'ACSR Workstation',
    backgroundColor: '#14171c',
    // Shown once the renderer has painted, so the investigator never sees a white flash.
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}
