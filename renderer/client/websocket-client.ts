/**
 * The contract over the browser host's loopback WebSocket. The launch token arrives in the URL
 * fragment; it is moved to sessionStorage and removed from the address bar, so a reload still
 * works and the token does not linger on screen or in screenshots.
 */
import {
  SOCKET_CLOSE_CODES,
  SOCKET_PATH,
  type CallResult,
  type EventChannel,
  type SocketClientMessage,
  type SocketServerMessage,
} from '../../main/ipc/contract/index.ts';
import { CallError, unwrap, type WorkstationClient } from './workstation-client.ts';

const TOKEN_KEY = 'acsr-launch-token';

export function takeLaunchToken(): string | null {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
    history.replaceState(null, '', location.pathname + location.search);
    return fromFragment;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function connectWebSocket(token: string | null): WorkstationClient {
  const socket = new WebSocket(`ws://${location.host}${SOCKET_PATH}`);
  const pending = new Map<number, { resolve: (result: CallResult) => void; reject: (error: Error) => void }>();
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const disconnectListeners = new Set<(message: string) => void>();
  let nextCallId = 1;
  let lostMessage: string | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const send = (message: SocketClientMessage) => socket.send(JSON.stringify(message));
  socket.addEventListener('open', () => send({ type: 'hello', token: token ?? '' }));
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as SocketServerMessage;
    if (message.type === 'welcome') markReady();
    else if (message.type === 'result') {
      pending.get(message.callId)?.resolve(message.result);
      pending.delete(message.callId);
    } else if (message.type === 'event') {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload as never);
    }
  });
  socket.addEventListener('close', (event) => {
    lostMessage =
      event.code === SOCKET_CLOSE_CODES.refused
        ? 'The workstation refused this page: open the exact address that "acsr serve" printed (it carries a one-time token).'
        : 'The connection to the workstation (acsr serve) was lost. Start it again and open the address it prints.';
    for (const call of pending.values()) call.reject(new CallError({ kind: 'disconnected', message: lostMessage }));
    pending.clear();
    for (const listener of disconnectListeners) listener(lostMessage);
  });

  return {
    async call(channel, input) {
      await Promise.race([ready, new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()))]);
      if (lostMessage) throw new CallError({ kind: 'disconnected', message: lostMessage });
      const callId = nextCallId++;
      const result = await new Promise<CallResult>((resolve, reject) => {
        pending.set(callId, { resolve, reject });
        send({ type: 'call', callId, channel, input });
      });
      return unwrap(result) as never;
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    onDisconnect(listener) {
      if (lostMessage) listener(lostMessage);
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
  };
}
