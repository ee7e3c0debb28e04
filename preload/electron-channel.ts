/**
 * Electron IPC channel names carry a prefix so that no Electron-internal channel is ever reachable:
 * the preload bridge invokes and listens on `acsr:<contract channel>` only, and Electron's main
 * process (main/electron/ipc-handlers.ts) handles and sends on exactly those names.
 */
export const ELECTRON_CHANNEL_PREFIX = 'acsr:';

/** The Electron IPC name of a contract channel. */
export function electronChannel(channel: string): string {
  return `${ELECTRON_CHANNEL_PREFIX}${channel}`;
}
