/**
 * Opening the workstation in a Chromium app window: never without a display, and never with the
 * launch token on the browser's command line (readable by every local user); the token travels
 * in a private redirect file instead. A stand-in browser script records what it was given.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openAppWindow } from '../../main/host/open-app-window.ts';

const URL_WITH_TOKEN = 'http://127.0.0.1:40000/#token=SECRET-launch-token_0123456789abcdefghijklmnopq';

test('without a display nothing is started', { skip: process.platform !== 'linux' }, async () => {
  const outcome = await openAppWindow(URL_WITH_TOKEN, { workspace: tmpdir(), env: {}, browser: '/bin/false' });
  assert.deepEqual(outcome, { opened: false, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' });
});

test('a missing browser is reported, not thrown, and leaves no redirect file', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'acsr-open-'));
  try {
    const outcome = await openAppWindow(URL_WITH_TOKEN, { workspace, env: { DISPLAY: ':99' }, browser: '/nonexistent/chromium' });
    assert.equal(outcome.opened, false);
    assert.match(!outcome.opened ? outcome.reason : '', /did not start/);
    assert.deepEqual(await readdir(join(workspace, '.workstation-browser')), []);
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
});

test('the browser gets an app window on a private redirect file and its own profile, not the token', { timeout: 20_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'acsr-open-'));
  try {
    const record = join(root, 'record.txt');
    const browser = join(root, 'fake-chromium.sh');
    // Records its arguments, then the redirect file's mode and content, as Chromium would read it.
    await writeFile(
      browser,
      `#!/bin/sh\nfor arg in "$@"; do echo "arg $arg"; done > "${record}.tmp"\napp=$(printf '%s\\n' "$@" | sed -n 's|^--app=file://||p')\necho "mode $(stat -c %a "$app")" >> "${record}.tmp"\ncat "$app" >> "${record}.tmp"\nmv "${record}.tmp" "${record}"\n`,
    );
    await chmod(browser, 0o755);
    const workspace = join(root, 'workspace');
    const outcome = await openAppWindow(URL_WITH_TOKEN, { workspace, env: { DISPLAY: ':99', PATH: process.env.PATH }, browser });
    assert.deepEqual(outcome, { opened: true, browser });

    const deadline = Date.now() + 10_000;
    let recorded = '';
    while (Date.now() < deadline) {
      recorded = await readFile(record, 'utf8').catch(() => '');
      if (recorded) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const args = recorded
      .split('\n')
      .filter((line) => line.startsWith('arg '))
      .map((line) => line.slice(4));
    assert.ok(
      args.some((arg) => /^--app=file:\/\/.*\/\.workstation-browser\/open-workstation\.html$/.test(arg)),
      args.join(' '),
    );
    assert.ok(args.includes(`--user-data-dir=${join(workspace, '.workstation-browser')}`), args.join(' '));
    assert.ok(!args.some((arg) => arg.includes('SECRET')), 'the token is not on the command line');
    assert.match(recorded, /^mode 600$/m);
    assert.ok(recorded.includes(`content="0;url=${URL_WITH_TOKEN}"`), recorded);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
