/** The contract through the Electron preload's bridge (window.acsrBridge). */
import type { ContractBridge, RequestChannel } from '../../main/ipc/contract/index.ts';
import { unwrap, type WorkstationClient } from './workstation-client.ts';

export function connectBridge(bridge: ContractBridge): WorkstationClient {
  return {
    async call(channel, input) {
      const invoke = bridge[channel as RequestChannel] as (input: unknown) => Promise<Parameters<typeof unwrap>[0]>;
      return unwrap(await invoke(input)) as never;
    },
    subscribe: (channel, listener) => bridge.subscribe(channel, listener),
    // The main process outlives its window; there is no connection to lose.
    onDisconnect: () => () => {},
  };
}
