/** Picks the transport: the preload bridge when running in Electron, the WebSocket otherwise. */
import { BRIDGE_GLOBAL_NAME, type ContractBridge } from '../../main/ipc/contract/index.ts';
import { connectBridge } from './bridge-client.ts';
import { connectWebSocket, takeLaunchToken } from './websocket-client.ts';
import type { WorkstationClient } from './workstation-client.ts';

export function connectWorkstation(): WorkstationClient {
  const bridge = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL_NAME] as ContractBridge | undefined;
  return bridge ? connectBridge(bridge) : connectWebSocket(takeLaunchToken());
}
