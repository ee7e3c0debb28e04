/**
 * The renderer's Content-Security-Policy, the same for both hosts: scripts only from the app's
 * own files (no inline script, no eval), no plugins, no frames, no remote content at all;
 * thumbnails arrive as data: URLs over IPC. MUI (emotion) injects its styles at run time, so
 * the page gets a fresh nonce with every load (see static-files.ts) and emotion puts it on its
 * style elements; no other inline style is accepted.
 */
export function contentSecurityPolicy(options: { connectSources?: readonly string[]; styleNonce?: string } = {}): string {
  const connect = ["'self'", ...(options.connectSources ?? [])].join(' ');
  const styles = options.styleNonce === undefined ? "'self'" : `'self' 'nonce-${options.styleNonce}'`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styles}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
