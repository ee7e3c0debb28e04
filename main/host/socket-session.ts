/**
 * One page's WebSocket connection to the browser host. Nothing is answered before the page
 * proves it was opened from this launch's URL (the token); after that every call goes through
 * the validating dispatcher, exactly like Electron's IPC.
 */
import { timingSafeEqual } from 'node:crypto';
import type { WebSocket } from 'ws';
import { SOCKET_CLOSE_CODES, socketClientMessageSchema, type EventChannel, type SocketServerMessage } from '../ipc/contract.ts';
import type { RawCall } from '../ipc/validated-dispatch.ts';

const HELLO_TIMEOUT_MS = 10_000;

export interface SocketSessionOptions {
  token: string;
  dispatch: RawCall;
  subscribe: (listener: (channel: EventChannel, payload: unknown) => void) => () => void;
}

export function startSocketSession(socket: WebSocket, options: SocketSessionOptions): void {
  let unsubscribe: (() => void) | null = null;
  const send = (message: SocketServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const helloTimer = setTimeout(() => socket.close(SOCKET_CLOSE_CODES.refused, 'no token'), HELLO_TIMEOUT_MS);
  socket.on('close', () => {
    clearTimeout(helloTimer);
    unsubscribe?.();
  });

  socket.on('message', (data, isBinary) => {
    let parsed: ReturnType<typeof socketClientMessageSchema.safeParse>;
    try {
      parsed = socketClientMessageSchema.safeParse(isBinary ? undefined : JSON.parse(data.toString()));
    } catch {
      socket.close(SOCKET_CLOSE_CODES.malformed, 'not JSON');
      return;
    }
    if (!parsed.success) {
      socket.close(SOCKET_CLOSE_CODES.malformed, 'unknown message');
      return;
    }
    const message = parsed.data;
    if (!unsubscribe) {
      if (message.type !== 'hello' || !sameToken(message.token, options.token)) {
        socket.close(SOCKET_CLOSE_CODES.refused, 'wrong token');
        return;
      }
      clearTimeout(helloTimer);
      unsubscribe = options.subscribe((channel, payload) => send({ type: 'event', channel, payload }));
      send({ type: 'welcome' });
      return;
    }
    if (message.type !== 'call') return;
    void options.dispatch(message.channel, message.input).then((result) => send({ type: 'result', callId: message.callId, result }));
  });
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
