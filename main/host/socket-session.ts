/**
 * One page's WebSocket connection to the browser host. Nothing is answered before the page
 * proves it was opened from this launch's URL (the token); after that every call goes through
 * the validating dispatcher, exactly like Electron's IPC.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { SOCKET_CLOSE_CODES, socketClientMessageSchema, type CallResult, type EventChannel, type SocketServerMessage } from '../ipc/contract/index.ts';
import type { RawCall } from '../ipc/validated-dispatch.ts';

const HELLO_TIMEOUT_MS = 10_000;
/** RFC 6455's "internal error": the host, not the page, is at fault. */
const INTERNAL_ERROR_CLOSE_CODE = 1011;

export interface SocketSessionOptions {
  token: string;
  dispatch: RawCall;
  subscribe: (listener: (channel: EventChannel, payload: unknown) => void) => () => void;
}

export function startSocketSession(socket: WebSocket, options: SocketSessionOptions): void {
  // ws reports a frame that breaks the protocol (unmasked, unknown opcode, reserved bits, invalid
  // UTF-8, over the size limit) as 'error' after starting the close; without this listener that
  // error would end the process. A peer that breaks the protocol is dropped at once.
  socket.on('error', () => socket.terminate());
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
    try {
      answer(data, isBinary);
    } catch {
      // A throw here would escape into ws's frame parser and end the process; it ends this connection instead.
      socket.close(INTERNAL_ERROR_CLOSE_CODE, 'internal error');
    }
  });

  function answer(data: RawData, isBinary: boolean): void {
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
    options
      .dispatch(message.channel, message.input)
      .catch((): CallResult => ({ ok: false, error: { kind: 'internal', message: 'internal error: the call failed in the host' } }))
      .then((result) => send({ type: 'result', callId: message.callId, result }))
      .catch(() => socket.terminate());
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
