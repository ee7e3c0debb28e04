/**
 * Opens the workstation in Chromium's app mode (a window without browser chrome) where a display
 * exists. The address carries the launch token, and a process's command line is readable by
 * every local user, so Chromium is given a private (0600) redirect file instead of the address;
 * the file is removed once Chromium has read it. A separate profile in the workspace keeps the
 * user's extensions (which could read the page) out of the workstation window.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATE_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
const REDIRECT_FILE_LIFETIME_MS = 15_000;

export type AppWindowOutcome = { opened: true; browser: string } | { opened: false; reason: string };

export interface OpenAppWindowOptions {
  workspace: string;
  env?: NodeJS.ProcessEnv;
  /** A browser executable; defaults to $ACSR_BROWSER or the first Chromium/Chrome found. */
  browser?: string;
}

export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.ACSR_BROWSER ? [env.ACSR_BROWSER] : CANDIDATE_BROWSERS;
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

export async function openAppWindow(url: string, options: OpenAppWindowOptions): Promise<AppWindowOutcome> {
  const env = options.env ?? process.env;
  if (!hasDisplay(env)) return { opened: false, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  const browser = options.browser ?? findBrowser(env);
  if (!browser) return { opened: false, reason: 'no Chromium or Chrome found (set ACSR_BROWSER to its path)' };

  const profile = join(options.workspace, '.workstation-browser');
  await mkdir(profile, { recursive: true, mode: 0o700 });
  const redirect = join(profile, 'open-workstation.html');
  const escaped = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  await writeFile(redirect, `<!doctype html><meta http-equiv="refresh" content="0;url=${escaped}"><title>ACSR Workstation</title>\n`, { mode: 0o600 });
  const child = spawn(browser, [`--app=${pathToFileURL(redirect).href}`, `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check'], {
    detached: true,
    stdio: 'ignore',
    env,
  });
  const started = await new Promise<{ ok: true } | { ok: false; message: string }>((resolve) => {
    child.once('spawn', () => resolve({ ok: true }));
    child.once('error', (error) => resolve({ ok: false, message: error.message }));
  });
  if (!started.ok) {
    await rm(redirect, { force: true });
    return { opened: false, reason: `${browser} did not start (${started.message})` };
  }
  // The browser runs on its own; the workstation does not wait for it or stop with it.
  child.unref();
  setTimeout(() => void rm(redirect, { force: true }), REDIRECT_FILE_LIFETIME_MS).unref();
  return { opened: true, browser };
}
