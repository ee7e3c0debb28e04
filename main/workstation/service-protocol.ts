/** Messages between a host (Electron main, `acsr serve`) and the workstation's service worker. */
import type { CallResult, EventChannel, EventPayload, RequestChannel } from '../ipc/contract/index.ts';

export interface ServiceWorkerData {
  workspace: string;
  host: 'electron' | 'browser';
  nativeFolderDialog: boolean;
  /** Extra or replacement action modules by job kind (file URLs as strings), for tests. */
  jobModules?: Record<string, string>;
  /** What `~` means (default: the user's home folder) and more roots for the folder browser. */
  homeFolder?: string;
  browseRoots?: string[];
}

export type HostToServiceMessage = { type: 'call'; callId: number; channel: RequestChannel; input: unknown } | { type: 'close' };

export type ServiceToHostMessage =
  | { type: 'ready' }
  | { type: 'result'; callId: number; result: CallResult }
  | { type: 'event'; channel: EventChannel; payload: EventPayload<EventChannel> }
  | { type: 'closed' };
