/**
 * What the desktop tests share: a renderer built once per test file into a temp folder, a
 * browser host on a fresh workspace, Debian's Chromium (headless) on a watched page, and the
 * first steps every investigator takes (say who you are, create a case, import a folder).
 * Everything started here is stopped by `close()`, so no server or browser outlives a test file.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBrowserHost, type BrowserHost } from '../../../main/host/browser-host.ts';
import { buildRenderer } from '../../../build/desktop/build-renderer.ts';
import { repoRoot } from '../../support/shared-data.ts';

export const CHROMIUM_PATH = process.env.ACSR_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'test-artifacts', 'screenshots');

export interface DesktopFixture {
  root: string;
  workspace: string;
  host: BrowserHost;
  close(): Promise<void>;
}

export async function startDesktopFixture(options: { jobModules?: Record<string, string> } = {}): Promise<DesktopFixture> {
  const root = await mkdtemp(join(tmpdir(), 'acsr-desktop-'));
  const workspace = join(root, 'workspace');
  const { outDir } = await buildRenderer({ outDir: join(root, 'renderer') });
  const host = await startBrowserHost({ workspace, rendererDir: outDir, ...(options.jobModules ? { jobModules: options.jobModules } : {}) });
  return {
    root,
    workspace,
    host,
    async close() {
      await host.close();
      // Evidence files are read-only by design; rm with force still removes them (the folder is writable).
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set ACSR_CHROMIUM)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
}

/**
 * A page whose uncaught errors and console errors land in `errors`, which tests assert empty: a
 * style or script the CSP refused (MUI's styles need the page's nonce) shows up there too.
 */
export async function openWatchedPage(browser: Browser, errors: string[], viewport = { width: 1440, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return page;
}

export interface DesktopSession extends DesktopFixture {
  browser: Browser;
  /** A page opened by `openWatchedPage`, not yet at the app's address. */
  page: Page;
  /** The page's uncaught errors and console errors, which tests assert empty. */
  pageErrors: string[];
}

/** A desktop fixture with Chromium on a watched page; `close()` closes the browser, then the fixture. */
export async function startDesktopSession(
  options: { viewport?: { width: number; height: number }; jobModules?: Record<string, string> } = {},
): Promise<DesktopSession> {
  const fixture = await startDesktopFixture(options.jobModules ? { jobModules: options.jobModules } : {});
  const pageErrors: string[] = [];
  let browser: Browser | undefined;
  const close = async () => {
    try {
      await browser?.close();
    } finally {
      await fixture.close();
    }
  };
  try {
    browser = await launchChromium();
    const page = await openWatchedPage(browser, pageErrors, options.viewport);
    return { ...fixture, browser, page, pageErrors, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Opens the app at `url` and says who the examiner is (the first-run question). */
export async function signIn(page: Page, url: string, examiner: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('examiner-name').fill(examiner);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Creates a case from the new-case form and waits for its empty grid. */
export async function createCase(page: Page, caseNumber: string, title: string): Promise<void> {
  await page.getByTestId('case-number').fill(caseNumber);
  await page.getByTestId('case-title').fill(title);
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('empty-case').waitFor();
}

/** Starts an import of `folder` into the open case; the test waits for what it expects to see. */
export async function startImport(page: Page, folder: string): Promise<void> {
  await page.getByTestId('import-path').fill(folder);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  // Transitions finished, so a screenshot shows the state the test just checked.
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}
