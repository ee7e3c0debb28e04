/**
 * The Electron shell without the Electron binary (it cannot be downloaded here): the real shell
 * code and the real service worker, with a stand-in `electron` module that records what the
 * shell configures. Window security, every contract channel registered and validated, the
 * hardening rules, the app:// protocol, and events forwarded to the window.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP_ENTRY_URL } from '../../main/electron/app-protocol.ts';
import { startElectronShell, type ElectronShell } from '../../main/electron/electron-shell.ts';
import { REQUEST_CHANNELS, type CallResult, type JobSnapshot } from '../../main/ipc/contract/index.ts';
import { ELECTRON_CHANNEL_PREFIX } from '../../preload/electron-channel.ts';
import { photosDir } from '../support/shared-data.ts';
import { createFakeElectron, FakeBrowserWindow, FakeWebContents, invokeEvent, type FakeElectron } from './support/fake-electron.ts';

let root: string;
let fake: FakeElectron;
let shell: ElectronShell;
const PAGE = APP_ENTRY_URL;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'acsr-electron-'));
  await mkdir(join(root, 'renderer'));
  await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>test</title>');
  fake = createFakeElectron();
  shell = await startElectronShell(fake.api, {
    workspace: join(root, 'workspace'),
    rendererDir: join(root, 'renderer'),
    preloadPath: join(root, 'preload.cjs'),
  });
});

after(async () => {
  await shell?.close();
  await rm(root, { recursive: true, force: true });
});

function call(channel: string, input: unknown, frameUrl = PAGE): Promise<CallResult> {
  const handler = fake.ipcHandlers.get(`${ELECTRON_CHANNEL_PREFIX}${channel}`);
  assert.ok(handler, `no handler for ${channel}`);
  return handler(invokeEvent(frameUrl), input);
}

test('one window, sandboxed and isolated, loading the app from its own scheme', () => {
  assert.equal(FakeBrowserWindow.created.length, 1);
  const [window] = FakeBrowserWindow.created;
  const preferences = window.options.webPreferences;
  assert.equal(preferences.contextIsolation, true);
  assert.equal(preferences.sandbox, true);
  assert.equal(preferences.nodeIntegration, false);
  assert.equal(preferences.nodeIntegrationInWorker, false);
  assert.equal(preferences.nodeIntegrationInSubFrames, false);
  assert.equal(preferences.webSecurity, true);
  assert.equal(preferences.webviewTag, false);
  assert.equal(preferences.allowRunningInsecureContent, false);
  assert.equal(preferences.preload, join(root, 'preload.cjs'));
  assert.equal(fake.app.sandboxEnabled, true);
  assert.equal(window.loadedUrl, 'acsr-app://renderer/index.html');
  assert.deepEqual(fake.privilegedSchemes, [{ scheme: 'acsr-app', privileges: { standard: true, secure: true } }]);
});

test('every request channel of the contract has exactly one handler, and nothing else is registered', () => {
  assert.deepEqual([...fake.ipcHandlers.keys()].sort(), REQUEST_CHANNELS.map((channel) => `${ELECTRON_CHANNEL_PREFIX}${channel}`).sort());
});

test('handlers answer through the services and refuse what the schema refuses', async () => {
  const state = await call('app.state', {});
  assert.ok(state.ok);
  assert.equal((state.value as { host: string }).host, 'electron');
  assert.equal((state.value as { nativeFolderDialog: boolean }).nativeFolderDialog, true);

  const traversal = await call('cases.get', { caseId: '../../etc' });
  assert.equal(traversal.ok, false);
  assert.equal(!traversal.ok && traversal.error.kind, 'invalid-input');
  const extraKey = await call('app.state', { debug: true });
  assert.equal(!extraKey.ok && extraKey.error.kind, 'invalid-input');
  const wrongType = await call('app.setBlurByDefault', { blur: 'yes' });
  assert.equal(!wrongType.ok && wrongType.error.kind, 'invalid-input');
});

test('calls from any frame other than the app page are refused', async () => {
  for (const url of ['https://evil.example/', 'file:///etc/passwd', '']) {
    const result = await call('app.state', {}, url);
    assert.equal(result.ok, false, url);
    assert.match(!result.ok ? result.error.message : '', /workstation page only/);
  }
});

test('the folder dialog is answered by the shell with the chosen path, or null when cancelled', async () => {
  assert.deepEqual(await call('dialog.chooseFolder', {}), { ok: true, value: { path: '/chosen/folder' } });
  fake.dialogPath = null;
  assert.deepEqual(await call('dialog.chooseFolder', { title: 'Import' }), { ok: true, value: { path: null } });
});

test('every web contents is kept on the app: no navigation away, no new windows, no webviews', () => {
  const contents = new FakeWebContents();
  fake.app.emit('web-contents-created', {}, contents);
  const navigate = (url: string) => {
    let prevented = false;
    contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  assert.equal(navigate('https://example.com/'), true);
  assert.equal(navigate('file:///etc/passwd'), true);
  assert.equal(navigate('acsr-app://renderer/index.html'), false);
  assert.deepEqual(contents.windowOpenHandler?.({ url: 'https://example.com/' }), { action: 'deny' });
  let webviewPrevented = false;
  contents.emit('will-attach-webview', { preventDefault: () => (webviewPrevented = true) });
  assert.equal(webviewPrevented, true);
});

test('the session grants no permission and loads nothing remote', () => {
  let granted: boolean | undefined;
  fake.session.permissionRequestHandler?.({}, 'media', (answer: boolean) => (granted = answer));
  assert.equal(granted, false);
  assert.equal(fake.session.permissionCheckHandler?.({}, 'notifications'), false);
  const decide = (url: string) => {
    let decision: { cancel: boolean } | undefined;
    fake.session.beforeRequest?.({ url }, (answer: { cancel: boolean }) => (decision = answer));
    return decision?.cancel;
  };
  assert.equal(decide('https://example.com/tracker.js'), true);
  assert.equal(decide('http://127.0.0.1:8080/'), true);
  assert.equal(decide('acsr-app://renderer/app.js'), false);
});

test('the app scheme serves the renderer with the CSP header and nothing outside its folder', async () => {
  const handler = fake.protocolHandlers.get('acsr-app');
  assert.ok(handler);
  const page = await handler(new Request('acsr-app://renderer/index.html'));
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(page.headers.get('content-security-policy') ?? '', /style-src 'self' 'nonce-[A-Za-z0-9+/]{24}';/);
  assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /unsafe-inline|unsafe-eval/);
  assert.equal((await handler(new Request('acsr-app://renderer/%2e%2e/%2e%2e/etc/passwd'))).status, 404);
  assert.equal((await handler(new Request('acsr-app://elsewhere/index.html'))).status, 404);
  assert.equal((await handler(new Request('acsr-app://renderer/missing.js'))).status, 404);
});

test('jobs may name only folders the dialog returned; progress and state changes reach the window', { timeout: 60_000 }, async () => {
  assert.ok((await call('app.setExaminer', { name: 'B. Examiner' })).ok);
  const created = await call('cases.create', { number: 'E-1', title: 'Electron shell' });
  assert.ok(created.ok, JSON.stringify(created));
  const unchosen = await call('jobs.start', { kind: 'import', caseId: 'E-1', sources: [photosDir] });
  assert.equal(!unchosen.ok && unchosen.error.kind, 'invalid-input');
  assert.match(!unchosen.ok ? unchosen.error.message : '', /with the folder dialog first/);
  // Training and evaluation read a labelled folder: the same rule.
  for (const request of [
    { kind: 'train', labelledFolder: photosDir, bundleName: 'never' },
    { kind: 'eval', labelledFolder: photosDir, attacks: 'fgsm', defenses: ['none'] },
  ] as const) {
    const refused = await call('jobs.start', request);
    assert.equal(!refused.ok && refused.error.kind, 'invalid-input', request.kind);
    assert.match(!refused.ok ? refused.error.message : '', /with the folder dialog first/);
  }
  fake.dialogPath = dirname(photosDir);
  assert.deepEqual(await call('dialog.chooseFolder', {}), { ok: true, value: { path: dirname(photosDir) } });
  const escaping = await call('jobs.start', { kind: 'import', caseId: 'E-1', sources: [join(dirname(photosDir), '..', 'elsewhere')] });
  assert.equal(!escaping.ok && escaping.error.kind, 'invalid-input');
  const started = await call('jobs.start', { kind: 'import', caseId: 'E-1', sources: [photosDir] });
  assert.ok(started.ok, JSON.stringify(started));
  const { webContents } = FakeBrowserWindow.created[0];
  const jobEvents = () =>
    webContents.sent.filter((sent) => sent.channel === `${ELECTRON_CHANNEL_PREFIX}jobs.changed`).map((sent) => sent.payload as JobSnapshot);
  const deadline = Date.now() + 50_000;
  while (!jobEvents().some((job) => job.state === 'completed') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const events = jobEvents();
  assert.deepEqual([...new Set(events.map((job) => job.state))], ['queued', 'running', 'completed']);
  assert.ok(
    events.some((job) => job.progress !== null && job.progress.fraction > 0 && job.progress.fraction < 1),
    'intermediate progress',
  );
  assert.equal(events.at(-1)?.summary?.imported, (await readdir(photosDir)).length);
});
