/**
 * Rules for every web contents the app ever creates: it stays on the app's own pages (no
 * navigation, no new windows, no webviews), loads nothing remote, and gets no permission
 * (camera, notifications, geolocation...). Applied from `web-contents-created`, so even a
 * contents created by a bug is covered.
 */
import type { Session, WebContents } from './electron-api.ts';
import { APP_ORIGIN } from './app-protocol.ts';

export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // No remote content: only the app's own scheme (and devtools, when a developer opens them).
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !(isAppUrl(details.url) || details.url.startsWith('devtools://')) }));
}

export function isAppUrl(url: string): boolean {
  try {
    return new URL(url).origin === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}
