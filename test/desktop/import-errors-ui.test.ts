/**
 * Import errors and the folder picker, in Debian's Chromium against `acsr serve` with a real case
 * database: a case number that is not a safe folder name is refused with the rule; the folder
 * browser starts in the home folder (a temp folder here), refuses a `..` escape in words, and
 * imports the folder chosen in it; the bad files of that folder (a text file renamed .jpg, a
 * truncated JPEG of a shared photo, a text file) are listed under the import's job and on the
 * case screen, file by file with a plain reason; a folder typed as `~/...` imports too.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer } from '../../build/desktop/build-renderer.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host.ts';
import { copyPhotos, photosDir } from '../case/case-fixtures.ts';
import { launchChromium, openWatchedPage, screenshot } from './support/desktop-fixture.ts';

let root: string;
let home: string;
let host: BrowserHost;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'acsr-import-errors-')));
  home = join(root, 'home');
  const batch = join(home, 'evidence', 'batch-1');
  await copyPhotos(batch, ['flower.jpg', 'darknet-dog.jpg']);
  await writeFile(join(batch, 'holiday.jpg'), 'Dear investigator,\nthis is a letter, not a photograph.\n');
  const china = await readFile(join(photosDir, 'china.jpg'));
  await writeFile(join(batch, 'china-truncated.jpg'), china.subarray(0, Math.floor(china.length / 2)));
  await writeFile(join(batch, 'notes.txt'), 'case notes\n');
  await copyPhotos(join(home, 'evidence', 'batch-2'), ['skimage-coffee.png']);
  await mkdir(join(home, 'Documents'));
  const { outDir } = await buildRenderer({ outDir: join(root, 'renderer') });
  host = await startBrowserHost({ workspace: join(root, 'workspace'), rendererDir: outDir, homeFolder: home });
  browser = await launchChromium();
  page = await openWatchedPage(browser, pageErrors, { width: 1280, height: 800 });
});

after(async () => {
  await browser?.close();
  await host?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

test('a bad case number is refused; a folder chosen in the folder browser is imported and its bad files are listed', { timeout: 240_000 }, async () => {
  await page.goto(host.url);
  await page.getByTestId('examiner-name').fill('R. Patel');
  await page.getByRole('button', { name: 'Continue' }).click();

  // Refused with the rule, never turned into another folder name.
  await page.getByTestId('case-number').fill('../../etc');
  await page.getByTestId('case-title').fill('Escalated uploads');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page
    .getByText(
      "the case number '../../etc' cannot be a folder name: use only letters, digits, dots (.), underscores (_) and hyphens (-), at most 64 characters, starting with a letter or digit",
      { exact: false },
    )
    .waitFor();
  await page.getByTestId('case-number').fill('2026-0090');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('empty-case').waitFor();

  // The folder browser opens in the home folder; '..' is refused in words.
  await page.getByTestId('import-browse').click();
  const picker = page.getByTestId('folder-browser');
  await picker.getByTestId('folder-browser-entry').filter({ hasText: 'evidence' }).waitFor();
  await picker.getByTestId('folder-browser-path').fill('~/../');
  await picker.getByRole('button', { name: 'Go', exact: true }).click();
  await picker.getByTestId('folder-browser-error').getByText("a folder path cannot go up with '..'", { exact: false }).waitFor();
  await picker.getByTestId('folder-browser-entry').filter({ hasText: 'evidence' }).click();
  await picker.getByTestId('folder-browser-entry').filter({ hasText: 'batch-1' }).click();
  await picker.getByTestId('folder-browser-summary').getByText('4 image files directly in this folder').waitFor();
  assert.equal(await picker.getByTestId('folder-browser-error').count(), 0);
  await screenshot(page, '41-folder-picker');
  await picker.getByRole('button', { name: 'Import this folder' }).click();
  await picker.waitFor({ state: 'hidden' });

  // The job: two imported, three listed under it with their reasons.
  await page.getByText('2 items').waitFor({ timeout: 90_000 });
  const job = page.locator('[data-testid=job-row][data-job-state=completed]').filter({ hasText: 'Import into case 2026-0090' });
  await job.getByRole('button', { name: '3 files not imported' }).click();
  assert.deepEqual(await job.getByTestId('job-import-failure').allInnerTexts(), [
    'china-truncated.jpg: damaged or truncated image',
    'holiday.jpg: not an image',
    'notes.txt: not an image type this tool imports',
  ]);

  // The case's list: every file with its full path and reason.
  await page.getByTestId('not-imported-button').getByText('3 files not imported').click();
  const list = page.getByTestId('not-imported');
  await list.getByText('Files not imported into this case').waitFor();
  const rows = await list
    .getByTestId('not-imported-row')
    .evaluateAll((found) => found.map((row) => Array.from(row.querySelectorAll('td')).map((cell) => cell.textContent)));
  const batch = join(home, 'evidence', 'batch-1');
  assert.deepEqual(rows, [
    [join(batch, 'china-truncated.jpg'), 'damaged or truncated image', '1'],
    [join(batch, 'holiday.jpg'), 'not an image', '1'],
    [join(batch, 'notes.txt'), 'not an image type this tool imports', '1'],
  ]);
  await screenshot(page, '40-import-errors');
  await list.getByRole('button', { name: 'Close' }).click();
  await list.waitFor({ state: 'hidden' });

  // A folder typed from the home folder.
  await page.getByTestId('import-path').fill('~/evidence/batch-2');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText('3 items').waitFor({ timeout: 90_000 });

  const opened = await CaseFolder.open(join(root, 'workspace', '2026-0090'), { readonly: true });
  try {
    assert.deepEqual(
      opened.db.listItems().map((item) => item.originalPath),
      [join(batch, 'darknet-dog.jpg'), join(batch, 'flower.jpg'), join(home, 'evidence', 'batch-2', 'skimage-coffee.png')],
    );
  } finally {
    opened.close();
  }
  assert.deepEqual(pageErrors, []);
});

test("the training screen's folder field browses the same way and takes the folder chosen", { timeout: 60_000 }, async () => {
  await page.getByTestId('nav-training').click();
  await page.getByTestId('train-folder').fill('~/evidence');
  await page.getByTestId('train-folder-browse').click();
  const picker = page.getByTestId('folder-browser');
  // Opens where the field points.
  await picker.getByTestId('folder-browser-entry').filter({ hasText: 'batch-2' }).click();
  await picker.getByTestId('folder-browser-summary').getByText('1 image file directly in this folder').waitFor();
  await picker.getByRole('button', { name: 'Choose this folder' }).click();
  await picker.waitFor({ state: 'hidden' });
  assert.equal(await page.getByTestId('train-folder').inputValue(), join(home, 'evidence', 'batch-2'));
  await screenshot(page, 'training-folder-chosen');
  assert.deepEqual(pageErrors, []);
});
