/**
 * The renderer is loaded from acsr-app://renderer/, a privileged scheme served from the built
 * renderer folder with the same CSP header as the browser host, instead of file:// (which would
 * give the page a file origin and no way to set headers).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { contentSecurityPolicy } from '../host/content-security-policy.ts';
import { fileInside, prepareFile, securityHeaders } from '../host/static-files.ts';
import type { ElectronApi } from './electron-api.ts';

export const APP_SCHEME = 'acsr-app';
export const APP_ORIGIN = `${APP_SCHEME}://renderer`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready. */
export function registerAppScheme(protocol: ElectronApi['protocol']): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

export function serveRendererOverAppScheme(protocol: ElectronApi['protocol'], rendererDir: string): void {
  const root = resolve(rendererDir);
  const policy = (styleNonce?: string) => contentSecurityPolicy(styleNonce ? { styleNonce } : {});
  const headers = securityHeaders(policy());
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'renderer' && request.method === 'GET' ? fileInside(root, url.pathname) : null;
    const body = file === null ? null : await readFile(file).catch(() => null);
    if (file === null || body === null) return new Response('not found', { status: 404, headers });
    const prepared = prepareFile(file, body, policy);
    return new Response(new Uint8Array(prepared.body), { status: 200, headers: prepared.headers });
  });
}
