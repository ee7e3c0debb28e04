/**
 * The renderer's Content-Security-Policy, the same for both hosts: scripts only from the app's
 * own files (no inline script, no eval), no plugins, no frames, no remote content at all;
 * thumbnails arrive as data: URLs over IPC. Inline styles are allowed because MUI (emotion)
 * injects its styles at run time; style injection cannot run code.
 */
export function contentSecurityPolicy(options: { connectSources?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(options.connectSources ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
