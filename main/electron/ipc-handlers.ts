/**
 * Electron's side of the IPC contract: one ipcMain handler per request channel (prefixed, so
 * the renderer can reach nothing else), answering only the app's own page, every input through
 * the same validating dispatcher as the browser host.
 */
import { electronChannel } from '../../preload/electron-channel.ts';
import { REQUEST_CHANNELS, type CallResult, type EventChannel } from '../ipc/contract/index.ts';
import type { RawCall } from '../ipc/validated-dispatch.ts';
import { isAppUrl } from './harden-contents.ts';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from './electron-api.ts';

/** Registers every request channel; returns a function that removes them again. */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: RawCall): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(electronChannel(channel), async (event: IpcMainInvokeEvent, input: unknown): Promise<CallResult> => {
      // Only the app's own top-level page may call; a frame from anywhere else gets nothing.
      const senderUrl = event.senderFrame?.url ?? '';
      if (!isAppUrl(senderUrl)) return { ok: false, error: { kind: 'invalid-input', message: 'calls are accepted from the workstation page only' } };
      return dispatch(channel, input);
    });
  }
  return () => REQUEST_CHANNELS.forEach((channel) => ipcMain.removeHandler(electronChannel(channel)));
}

export function sendEvent(contents: Pick<WebContents, 'send' | 'isDestroyed'>, channel: EventChannel, payload: unknown): void {
  if (!contents.isDestroyed()) contents.send(electronChannel(channel), payload);
}
