/**
 * The same renderer in its Electron form, without the Electron binary: the page is loaded from
 * the shell's acsr-app:// protocol handler (with its CSP), the real bundled preload runs in the
 * page with a stand-in ipcRenderer that carries calls to the shell's real ipcMain handlers, and
 * the shell's window events come back the same way. The investigator imports through the native
 * folder dialog (answered by the stand-in dialog) instead of typing a path.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { APP_ENTRY_URL } from '../../main/electron/app-protocol.ts';
import { buildPreload } from '../../build/desktop/build-preload.ts';
import { startElectronShell, type ElectronShell } from '../../main/electron/electron-shell.ts';
import { buildRenderer } from '../../build/desktop/build-renderer.ts';
import { photosDir } from '../support/shared-data.ts';
import { createFakeElectron, FakeBrowserWindow, invokeEvent, type FakeElectron } from './support/fake-electron.ts';
import { launchChromium, screenshot } from './support/desktop-fixture.ts';

const PAGE_ORIGIN = 'http://electron-renderer.test';
let root: string;
let fake: FakeElectron;
let shell: ElectronShell;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'acsr-electron-ui-'));
  const { outDir } = await buildRenderer({ outDir: join(root, 'renderer') });
  const preloadSource = await readFile(await buildPreload({ outFile: join(root, 'preload.cjs') }), 'utf8');
  fake = createFakeElectron();
  fake.dialogPath = photosDir;
  shell = await startElectronShell(fake.api, { workspace: join(root, 'workspace'), rendererDir: outDir, preloadPath: join(root, 'preload.cjs') });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));

  // ipcRenderer.invoke -> the shell's ipcMain handler, as called from the app's own page.
  await page.exposeBinding('__ipcInvoke', async (_source, channel: string, input: unknown) => {
    const handler = fake.ipcHandlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(invokeEvent(APP_ENTRY_URL), input);
  });
  // webContents.send -> the page's ipcRenderer listeners.
  const window = FakeBrowserWindow.created.at(-1)!;
  window.webContents.send = (channel: string, payload: unknown) => {
    void page.evaluate(([sentChannel, sentPayload]) => (globalThis as any).__ipcDeliver(sentChannel, sentPayload), [channel, payload] as const).catch(() => {});
  };
  // The real preload bundle, given what Electron gives a sandboxed preload: require('electron').
  await page.addInitScript(`(() => {
    const listeners = new Map();
    const electron = {
      contextBridge: { exposeInMainWorld: (name, value) => { Object.defineProperty(window, name, { value: Object.freeze(value) }); } },
      ipcRenderer: {
        invoke: (channel, input) => window.__ipcInvoke(channel, input),
        on: (channel, listener) => { (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)).add(listener); },
        removeListener: (channel, listener) => { listeners.get(channel)?.delete(listener); },
      },
    };
    window.__ipcDeliver = (channel, payload) => { for (const listener of listeners.get(channel) ?? []) listener({}, payload); };
    const require = (name) => { if (name !== 'electron') throw new Error('preload required ' + name); return electron; };
    const module = { exports: {} };
    (function (require, module, exports) { ${preloadSource} })(require, module, module.exports);
  })();`);
  // acsr-app://renderer/... served by the shell's protocol handler, headers included.
  const protocolHandler = fake.protocolHandlers.get('acsr-app')!;
  await page.route(`${PAGE_ORIGIN}/**`, async (route) => {
    const response = await protocolHandler(new Request(route.request().url().replace(PAGE_ORIGIN, 'acsr-app://renderer')));
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    await route.fulfill({ status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) });
  });
});

after(async () => {
  await browser?.close();
  await shell?.close();
  await rm(root, { recursive: true, force: true });
});

test('in its Electron form the renderer works through the preload bridge and imports via the folder dialog', { timeout: 90_000 }, async () => {
  await page.goto(`${PAGE_ORIGIN}/index.html`);
  await page.getByTestId('examiner-name').fill('C. Electron');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('case-number').fill('E-2026-7');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('case-heading').getByText('Case E-2026-7').waitFor();

  // Electron offers the native dialog, not a path field.
  assert.equal(await page.getByTestId('import-path').count(), 0);
  await page.getByRole('button', { name: 'Import folder…' }).click();
  await page.locator('[data-testid=job-row][data-job-state=completed]').waitFor({ timeout: 60_000 });
  const photoCount = (await readdir(photosDir)).length;
  await page.getByText(`${photoCount} items`).waitFor();
  await page.locator('[data-testid=evidence-tile][data-item-id="1"] img').waitFor();

  // Turning the global blur off reveals every thumbnail; a single one can still be concealed.
  // A controlled switch: it flips once the host has stored the setting.
  await page.getByLabel('Blur thumbnails').click();
  await page.locator('[data-testid=evidence-tile][data-item-id="1"][data-blurred=false]').waitFor();
  await page.locator('[data-testid=evidence-tile][data-item-id="3"]').getByRole('button', { name: 'Conceal' }).click();
  await page.locator('[data-testid=evidence-tile][data-item-id="3"][data-blurred=true]').waitFor();
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('[data-testid=evidence-tile] img'))
      .slice(0, 10)
      .every((img) => (img as HTMLImageElement).naturalWidth > 0),
  );
  await screenshot(page, '12-electron-form-unblurred');

  // Keyboard only: arrows move the selection, Enter opens the item, Escape closes it.
  await page.locator('[data-testid=evidence-tile][data-item-id="1"]').click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await page.getByTestId('item-dialog').getByText('Item #2').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('item-dialog').waitFor({ state: 'detached' });

  // Two items picked with Ctrl+click get a category from the selection bar.
  await page.locator('[data-testid=evidence-tile][data-item-id="4"]').click();
  await page.locator('[data-testid=evidence-tile][data-item-id="6"]').click({ modifiers: ['Control'] });
  await page.getByTestId('selection-count').getByText('2 selected:').waitFor();
  await page.getByRole('button', { name: 'CAT-2' }).click();
  // More than one item: asked first.
  await page.getByTestId('confirm-bulk').getByRole('button', { name: 'Give CAT-2 to 2 items' }).click();
  await page.getByText('CAT-2 (child exploitive (not illegal)) given to 2 items').waitFor();
  assert.deepEqual(
    await page.locator('[data-testid=evidence-tile][data-category="CAT-2"]').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-item-id'))),
    ['4', '6'],
  );
  await screenshot(page, '14-electron-selection-bar');

  // Bulk tagging: select everything, press 5.
  await page.getByTestId('evidence-grid').focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('5');
  await page.getByTestId('confirm-bulk').getByText(`Give CAT-5 (not pertinent) to ${photoCount} items?`).waitFor();
  await page.keyboard.press('Enter');
  await page.getByText(`CAT-5 (not pertinent) given to ${photoCount} items`).waitFor();
  assert.equal(await page.locator('[data-testid=evidence-tile]:not([data-category="CAT-5"])').count(), 0);
  const filtered = await fake.ipcHandlers.get('acsr:evidence.list')!(invokeEvent(APP_ENTRY_URL), { caseId: 'E-2026-7', category: 'CAT-5' });
  assert.equal(filtered.value.length, photoCount);

  const state = await fake.ipcHandlers.get('acsr:app.state')!(invokeEvent(APP_ENTRY_URL), {});
  assert.equal(state.value.blurByDefault, false);
  assert.equal(state.value.examiner, 'C. Electron');
  assert.deepEqual(pageErrors, []);
});
