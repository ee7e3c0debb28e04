/**
 * Serves the built renderer (one folder, read-only) with the security headers every response
 * needs; Electron's app:// protocol handler resolves files with the same functions. Only GET and HEAD of files inside the folder; anything else is 404/405.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { originFormPath } from './connection-guards.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}

/** Where index.html expects the style nonce of this load (read by renderer/main.tsx). */
const STYLE_NONCE_PLACEHOLDER = '%ACSR_STYLE_NONCE%';

/**
 * A file ready to send: HTML pages get a fresh style nonce written into them and named in
 * their CSP; everything else is sent as it is.
 */
export function prepareFile(file: string, body: Buffer, policy: (styleNonce?: string) => string): { body: Buffer; headers: Record<string, string> } {
  const contentType = contentTypeOf(file);
  if (!contentType.startsWith('text/html')) return { body, headers: { ...securityHeaders(policy()), 'Content-Type': contentType } };
  const styleNonce = randomBytes(18).toString('base64');
  const page = Buffer.from(body.toString('utf8').replaceAll(STYLE_NONCE_PLACEHOLDER, styleNonce));
  return { body: page, headers: { ...securityHeaders(policy(styleNonce)), 'Content-Type': contentType } };
}

export async function serveStaticFile(
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
  policy: (styleNonce?: string) => string,
): Promise<void> {
  const headers = securityHeaders(policy());
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const path = originFormPath(request.url);
  if (path === null) {
    response.writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not a path of this server');
    return;
  }
  const file = fileInside(root, path);
  const info = file === null ? null : await stat(file).catch(() => null);
  if (file === null || !info?.isFile()) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  const prepared = prepareFile(file, await readFile(file), policy);
  response.writeHead(200, { ...prepared.headers, 'Content-Length': prepared.body.length });
  response.end(request.method === 'HEAD' ? undefined : prepared.body);
}

/** The file a URL path names inside `root` ('/' is index.html), or null for anything that would leave it. */
export function fileInside(root: string, urlPath: string): string | null {
  const pathname = decodeURIComponentSafe(urlPath);
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  if (relative.includes('\0')) return null;
  const file = normalize(join(root, relative));
  return file.startsWith(root + sep) ? file : null;
}

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '\0';
  }
}
