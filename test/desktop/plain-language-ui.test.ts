/**
 * Plain language on every screen, in Debian's Chromium against `acsr serve` with a real case
 * database, the default bundle and real CBPDN: the test walks the screens an investigator sees
 * (examiner setup, cases, the case grid, the purify dialog, a purification, the item view, verify
 * results, the HTML report, training, evaluation, refused input), reads what each shows
 * (document.body.innerText, and the report as Chromium renders it) and fails on any schema path,
 * internal id without a human name or process word (support/developer-language.ts, whose own
 * test proves it catches them). On the way: the keys on ?, and a reload that returns to the open
 * case with the thumbnail size kept.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { writePhotoCrop } from '../case/report-fixtures.ts';
import { describeFindings, findDeveloperLanguage, type Finding } from './support/developer-language.ts';
import { launchChromium, openWatchedPage, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

let fixture: DesktopFixture;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const findings: Finding[] = [];
const visited: string[] = [];

before(async () => {
  fixture = await startDesktopFixture();
  browser = await launchChromium();
  page = await openWatchedPage(browser, pageErrors, { width: 1280, height: 800 });
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

/**
 * Reads the screen as a person sees it (innerText: rendered, visible text only) and keeps what the
 * scanner finds, and any prose set to break anywhere (CSS word-break: break-all splits words as
 * "outp uts"; overflow-wrap: anywhere breaks only what cannot fit, such as a long path).
 */
async function readScreen(where: string): Promise<string> {
  const { text, breakable } = await page.evaluate(() => ({
    text: document.body.innerText,
    breakable: Array.from(document.querySelectorAll('body *'))
      .filter((node) => getComputedStyle(node).wordBreak === 'break-all' && /[A-Za-z]{3,} [A-Za-z]{3,}/.test((node as HTMLElement).innerText ?? ''))
      .map((node) => (node as HTMLElement).innerText.slice(0, 120)),
  }));
  assert.ok(text.trim().length > 0, `${where}: nothing on screen`);
  visited.push(where);
  findings.push(...findDeveloperLanguage(where, text));
  findings.push(...breakable.map((line) => ({ where, rule: 'words may break mid-word', line })));
  return text;
}

/** Width left unused right of the grid's columns: less than one pixel per column (rounding), never a band. */
async function unusedGridWidth(): Promise<{ unused: number; columns: number }> {
  return page.evaluate(() => {
    const grid = document.querySelector('[data-testid=evidence-grid]') as HTMLElement;
    const tiles = Array.from(document.querySelectorAll('[data-testid=evidence-tile]')).map((tile) => tile.getBoundingClientRect());
    const gap = tiles.length > 1 ? tiles[1].left - tiles[0].right : 0;
    const columns = Math.floor((grid.clientWidth + gap) / (tiles[0].width + gap));
    return { unused: grid.clientWidth - (columns * (tiles[0].width + gap) - gap), columns };
  });
}

const tile = (itemId: number) => page.locator(`[data-testid=evidence-tile][data-item-id="${itemId}"]`);

test('every screen and the HTML report speak plainly; refused input says what to do', { timeout: 600_000 }, async () => {
  const crops = join(fixture.root, 'crops');
  await mkdir(crops);
  await writePhotoCrop('skimage-chelsea.png', join(crops, 'a-cat.png'), { left: 140, top: 50, size: 96 });
  await writePhotoCrop('skimage-rocket.jpg', join(crops, 'b-rocket.png'), { left: 280, top: 120, size: 96 });

  await page.goto(fixture.host.url);
  await page.getByTestId('examiner-name').waitFor();
  await readScreen('examiner setup');
  await page.getByTestId('examiner-name').fill('A. Jones');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('case-number').waitFor();
  await readScreen('cases list (empty)');
  await page.getByTestId('case-number').fill('PL-2026-1');
  await page.getByTestId('case-title').fill('Plain words');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('empty-case').waitFor();
  await readScreen('empty case');

  // Refused input: the field in words and what to do, not the schema's path.
  await page.getByTestId('import-path').fill('photos/of-the-case');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const importError = page.getByTestId('import-error');
  await importError.getByText('The folder to import: give its full path, starting with /.').waitFor();
  await readScreen('refused import path');
  await screenshot(page, '39-plain-error');
  await importError.getByRole('button', { name: 'Close' }).click();

  await page.getByTestId('import-path').fill(crops);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText('2 items').waitFor({ timeout: 60_000 });
  await tile(2).waitFor();
  await readScreen('case grid');
  const grid = await unusedGridWidth();
  assert.ok(grid.unused >= 0 && grid.unused < grid.columns, `${grid.unused.toFixed(1)} px unused right of ${grid.columns} columns`);

  // The purify dialog names models and bundles in words; the id is in the details line.
  await tile(1).click();
  await page.getByTestId('bulk-purify').click();
  const purifyDialog = page.getByTestId('purify-dialog');
  await purifyDialog
    .getByRole('combobox', { name: /Content filter/ })
    .getByText('NSFW filter (MobileNetV2, standard)')
    .waitFor();
  await purifyDialog.getByTestId('classifier-details').getByText('model id nsfwjs-mobilenet-v2').waitFor();
  await readScreen('purify dialog');
  await purifyDialog.getByRole('button', { name: 'Purify', exact: true }).click();
  await page.locator('[data-testid=job-row][data-job-state=completed]').filter({ hasText: 'Purify item #1' }).waitFor({ timeout: 300_000 });
  await page.locator('[data-testid=evidence-tile][data-item-id="1"][data-purified=true]').waitFor();
  await readScreen('case grid after a purification');

  // The item view: details, then the image view with its parts named in words.
  await tile(1).dblclick();
  const itemDialog = page.getByTestId('item-dialog');
  await itemDialog.waitFor();
  await readScreen('item view, details');
  await itemDialog.getByRole('tab', { name: /Purification/ }).click();
  const view = itemDialog.getByTestId('purification-view');
  await view.waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=view-image]').length === 6, undefined, { timeout: 30_000 });
  assert.deepEqual(await view.getByTestId('view-title').allTextContents(), [
    'Original',
    'Fine detail removed',
    'Fine detail only',
    'Fine detail rebuilt',
    'Purified',
    'What purification changed',
  ]);
  assert.equal(await view.getByTestId('view-title').nth(2).getAttribute('data-notation'), 'x_high = x − x_low: the high-frequency part, where an attack hides');
  await view
    .getByTestId('verdict-bars')
    .getByText(/^NSFW filter \(MobileNetV2, standard\): \w+ before → \w+ after$/)
    .waitFor();
  await view.getByTestId('run-facts').getByText('Default bundle (ships with ACSR)').waitFor();
  await readScreen('item view, image view');
  await page.keyboard.press('Escape');
  await itemDialog.waitFor({ state: 'detached' });

  // Verify, then the HTML report: its text as Chromium renders it.
  await page.getByRole('button', { name: 'Verify case' }).click();
  await page.getByTestId('job-summary').getByText('verified: audit chain intact').waitFor({ timeout: 60_000 });
  await readScreen('verify results');
  await page.getByRole('button', { name: 'Export report' }).click();
  await page.getByRole('menuitem', { name: 'HTML' }).click();
  const reportPath = page.getByTestId('report-path');
  await reportPath.waitFor({ timeout: 120_000 });
  // One line the person can copy: not wrapped, whatever the panel's width.
  const pathBox = await reportPath.evaluate((node) => ({
    lines: Math.round(node.getBoundingClientRect().height / parseFloat(getComputedStyle(node).lineHeight)),
    text: node.textContent,
  }));
  assert.equal(pathBox.lines, 1, `the report path takes ${pathBox.lines} lines`);
  await readScreen('report written');
  const reportHtml = await readFile(pathBox.text!, 'utf8');
  const reportPage = await browser.newPage();
  try {
    await reportPage.setContent(reportHtml, { waitUntil: 'load' });
    const reportText = await reportPage.evaluate(() => document.body.innerText);
    assert.match(reportText, /PL-2026-1/);
    visited.push('HTML report');
    findings.push(...findDeveloperLanguage('HTML report', reportText));
  } finally {
    await reportPage.close();
  }

  // The keys on ?, listed in one dialog.
  await page.getByTestId('evidence-grid').focus();
  await page.keyboard.press('?');
  const help = page.getByTestId('keyboard-help');
  await help.getByText('Give category CAT-0 … CAT-5 to the selection (more than one item asks first)').waitFor();
  await readScreen('keyboard help');
  await screenshot(page, '38-keyboard-help');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });

  // Training and evaluation: settings in words, the research term beside them; refused input in words.
  await page.getByTestId('nav-training').click();
  await page.getByTestId('training-form').waitFor();
  await page.getByTestId('training-form').getByText('latent extractor · model id nsfwjs-mobilenet-v2').waitFor();
  await readScreen('training');
  await page.getByTestId('train-folder').fill(crops);
  await page.getByTestId('train-name').fill('field office!');
  await page.getByTestId('training-form').getByRole('button', { name: 'Train bundle' }).click();
  await page
    .getByTestId('train-error')
    .getByText('The bundle name: use only letters, digits and . _ - (at most 64 characters), starting with a letter or digit.')
    .waitFor();
  await readScreen('refused bundle name');
  await page.getByTestId('nav-evaluation').click();
  await page.getByTestId('evaluation-screen').waitFor();
  await page.getByTestId('eval-folder').waitFor();
  await readScreen('evaluation');

  assert.deepEqual(findings, [], `developer language on screen:\n${describeFindings(findings)}`);
  assert.ok(visited.length >= 16, `screens read: ${visited.join(', ')}`);
  assert.deepEqual(pageErrors, []);
});

test('a reload returns to the open case with the thumbnail size kept', { timeout: 60_000 }, async () => {
  await page.getByTestId('nav-cases').click();
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  await page.getByTestId('case-heading').waitFor();
  const slider = page.getByRole('slider', { name: 'Thumbnail size' });
  const before = Number(await slider.getAttribute('aria-valuenow'));
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  const chosen = before - 32;
  assert.equal(Number(await slider.getAttribute('aria-valuenow')), chosen);

  await page.reload();
  await page.getByTestId('case-heading').getByText('Case PL-2026-1').waitFor();
  await tile(2).waitFor();
  assert.equal(Number(await page.getByRole('slider', { name: 'Thumbnail size' }).getAttribute('aria-valuenow')), chosen);
  assert.equal(Math.round((await tile(2).boundingBox())!.width) >= chosen, true);

  // Back to the list is remembered too: the next reload shows the cases.
  await page.getByRole('button', { name: '← Cases' }).click();
  await page.getByTestId('cases-table').waitFor();
  await page.reload();
  await page.getByTestId('cases-table').waitFor();
  assert.equal(await page.getByTestId('case-heading').count(), 0);
  assert.deepEqual(pageErrors, []);
});
