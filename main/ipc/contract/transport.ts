/**
 * The names and frames both ends of a transport must agree on: the global the preload bridge is
 * exposed under (Electron), and the loopback WebSocket of `acsr serve` (its path, its frames and
 * the close codes the page acts on). Both the page and the host import them from here, so the
 * two ends cannot drift apart.
 */
import { z } from 'zod';
import type { CallResult } from './answers.ts';
import type { EventChannel } from './channels.ts';

/** The global name under which the preload script exposes the contract's bridge. */
export const BRIDGE_GLOBAL_NAME = 'acsrBridge';

/** Where the page opens its WebSocket; the per-launch token travels in the URL fragment to the page. */
export const SOCKET_PATH = '/ipc';

/** Frames from the page: the first must be hello with the launch token, then calls. */
export const socketClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), token: z.string().max(200) }),
  // Any channel string (the frame limit bounds it): an unknown or over-long name is answered
  // invalid-input by the dispatcher, like any other refused call, rather than closing the socket.
  z.strictObject({ type: z.literal('call'), callId: z.number().int().nonnegative(), channel: z.string(), input: z.unknown() }),
]);
export type SocketClientMessage = z.output<typeof socketClientMessageSchema>;

/** Frames from the host. */
export type SocketServerMessage =
  { type: 'welcome' } | { type: 'result'; callId: number; result: CallResult } | { type: 'event'; channel: EventChannel; payload: unknown };

/** WebSocket close codes the page can act on (4000-4999 are the application's). */
export const SOCKET_CLOSE_CODES = {
  /** Missing or wrong token: the page was not opened from the URL this launch printed. */
  refused: 4401,
  /** A frame that is not JSON or not a known message. */
  malformed: 4400,
} as const;
