/**
 * `acsr serve`: the workstation's services and IPC contract for a browser, on loopback only.
 * One HTTP server on 127.0.0.1 serves the built renderer (strict CSP) and upgrades /ipc to a
 * WebSocket. A page must come from this server (Origin), address it by its loopback name (Host,
 * against DNS rebinding) and present the random token of this launch, which reaches the page in
 * the URL fragment (never sent over HTTP, never logged by proxies).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { SOCKET_PATH } from '../ipc/contract/index.ts';
import { createValidatedDispatcher } from '../ipc/validated-dispatch.ts';
import { WorkstationBackend } from '../workstation/workstation-backend.ts';
import { guardHttpServer, guardSocket, guardSocketServer, originFormPath, refuseUpgrade, type HostNote } from './connection-guards.ts';
import { contentSecurityPolicy } from './content-security-policy.ts';
import { securityHeaders, serveStaticFile } from './static-files.ts';
import { startSocketSession } from './socket-session.ts';

export const LOOPBACK_ADDRESS = '127.0.0.1';
/** Calls larger than this are refused by the WebSocket layer before any parsing. */
const MAX_FRAME_BYTES = 1 << 20;

export interface BrowserHostOptions {
  workspace: string;
  /** The built renderer (see build/desktop/build-renderer.ts). */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** What `~` means and the folder browser's first root (default: the user's home folder). */
  homeFolder?: string;
  /** More folders the folder browser may show besides the home folder. */
  browseRoots?: string[];
  /** Job worker modules by kind (file URLs), replacing the product's; for tests. */
  jobModules?: Record<string, string>;
  /** Where failures of the server itself (not of one peer) are reported; default: nowhere. */
  note?: HostNote;
}

export interface BrowserHost {
  /** The URL to open, token included (in the fragment). */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const rendererDir = resolve(options.rendererDir);
  const backend = await WorkstationBackend.start({
    workspace: resolve(options.workspace),
    host: 'browser',
    nativeFolderDialog: false,
    ...(options.jobModules ? { jobModules: options.jobModules } : {}),
    ...(options.homeFolder !== undefined ? { homeFolder: resolve(options.homeFolder) } : {}),
    ...(options.browseRoots ? { browseRoots: options.browseRoots.map((root) => resolve(root)) } : {}),
  });
  const token = randomBytes(32).toString('base64url');
  const dispatch = createValidatedDispatcher(async (channel, input) =>
    channel === 'dialog.chooseFolder'
      ? { ok: false, error: { kind: 'unavailable', message: 'the browser cannot open folder dialogs: type the folder path or browse for it' } }
      : backend.call(channel, input),
  );

  const server = createServer();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, LOOPBACK_ADDRESS, () => {
      server.off('error', fail);
      done();
    });
  });
  const note = options.note ?? (() => {});
  guardHttpServer(server, note);
  guardSocketServer(sockets, note);
  const { port } = server.address() as AddressInfo;
  const origin = `http://${LOOPBACK_ADDRESS}:${port}`;
  const policy = (styleNonce?: string) =>
    contentSecurityPolicy({ connectSources: [`ws://${LOOPBACK_ADDRESS}:${port}`], ...(styleNonce ? { styleNonce } : {}) });
  const headers = securityHeaders(policy());
  const isOurHost = (request: IncomingMessage) => request.headers.host === `${LOOPBACK_ADDRESS}:${port}`;

  server.on('request', (request, response) => {
    if (!isOurHost(request)) {
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`address this server as ${origin}`);
      return;
    }
    serveStaticFile(rendererDir, request, response, policy).catch(() => {
      if (!response.headersSent) response.writeHead(500, headers);
      response.end();
    });
  });

  // Total over any request line: Node hands this socket over without an error listener, and a
  // target the URL parser refuses ('//[') is answered 400, never thrown.
  server.on('upgrade', (request, socket, head) => {
    guardSocket(socket);
    const path = originFormPath(request.url);
    if (path === null) {
      refuseUpgrade(socket, 400);
      return;
    }
    if (path !== SOCKET_PATH || !isOurHost(request) || request.headers.origin !== origin) {
      refuseUpgrade(socket, 403);
      return;
    }
    try {
      sockets.handleUpgrade(request, socket, head, (ws) =>
        startSocketSession(ws, {
          token,
          dispatch,
          subscribe: (listener) => backend.onEvent(listener),
        }),
      );
    } catch {
      // ws throws only on misuse (a socket upgraded twice): that costs this connection, not the host.
      refuseUpgrade(socket, 503);
    }
  });

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close() {
      closing ??= (async () => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
        await backend.close();
      })();
      return closing;
    },
  };
}
