/**
 * What keeps one bad connection from taking the browser host down. Node and ws report a broken
 * peer (a malformed request, a frame that breaks RFC 6455, a reset) as an 'error' event, and an
 * 'error' event nobody listens to ends the process, and every running job with it. So every
 * server and every socket gets a listener here, and the request target is read by a function
 * that cannot throw. A peer that misbehaves loses its own connection, nothing else.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';

/** Where the host says what went wrong with the server itself (not with one peer). */
export type HostNote = (line: string) => void;

/**
 * The path of an origin-form request target ('/ipc?x=1' gives '/ipc'), or null for anything
 * else: absolute or authority forms, targets the URL parser refuses ('//[', '/\\['), and
 * anything not starting with '/'. Never throws.
 */
export function originFormPath(target: string | undefined): string | null {
  if (target === undefined || !target.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(target, 'http://127.0.0.1');
  } catch {
    return null;
  }
  // '//host/x' and '/\host/x' parse as another authority: not a path of this server.
  return url.host === '127.0.0.1' ? url.pathname : null;
}

/** Answers an upgrade request with an HTTP status and closes the connection; safe on a broken socket. */
export function refuseUpgrade(socket: Duplex, status: 400 | 403 | 503): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** A peer's socket: any error (reset, write after the peer left) ends that connection only. */
export function guardSocket(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
}

/**
 * The HTTP server: a request Node cannot parse gets Node's usual answer (400, 408 or 431) and
 * is closed; a failure of the listening socket itself (accept running out of file descriptors)
 * is noted, and the server keeps listening.
 */
export function guardHttpServer(server: Server, note: HostNote): void {
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.once('finish', () => socket.destroy());
    socket.once('error', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.on('error', (error) => note(`the browser host's listening socket reported ${error.message}; still serving`));
}

/** The WebSocket server: handshakes ws itself refuses (bad key, version, method) are answered 400. */
export function guardSocketServer(sockets: WebSocketServer, note: HostNote): void {
  sockets.on('wsClientError', (_error, socket) => refuseUpgrade(socket, 400));
  sockets.on('error', (error) => note(`the browser host's WebSocket server reported ${error.message}; still serving`));
}
