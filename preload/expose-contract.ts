/**
 * Builds the bridge the preload script exposes: one function per request channel of the IPC
 * contract and `subscribe` for its event channels, nothing else (no raw ipcRenderer, no
 * arbitrary channel names, no Electron event objects handed to the page).
 */
import { BRIDGE_GLOBAL_NAME, REQUEST_CHANNELS, isEventChannel, type ContractBridge, type EventChannel, type EventPayload } from '../main/ipc/contract/index.ts';
import { electronChannel } from './electron-channel.ts';
import type { ContextBridge, IpcRenderer, IpcRendererEvent } from 'electron';

export type BridgeIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function buildContractBridge(ipcRenderer: BridgeIpc): ContractBridge {
  const bridge: Record<string, unknown> = {};
  for (const channel of REQUEST_CHANNELS) {
    bridge[channel] = (input: unknown) => ipcRenderer.invoke(electronChannel(channel), input);
  }
  bridge.subscribe = <E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void) => {
    if (!isEventChannel(channel)) throw new Error(`unknown event channel ${String(channel)}`);
    const forward = (_event: IpcRendererEvent, payload: EventPayload<E>) => listener(payload);
    ipcRenderer.on(electronChannel(channel), forward);
    return () => void ipcRenderer.removeListener(electronChannel(channel), forward);
  };
  return bridge as ContractBridge;
}

export function exposeContract(contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>, ipcRenderer: BridgeIpc): void {
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL_NAME, buildContractBridge(ipcRenderer));
}
