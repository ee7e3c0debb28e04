/**
 * "Was this image made to fool the filter?" in the workstation, in Debian's Chromium against
 * `acsr serve`, on real data: Fashion-MNIST test images, clean and attacked with the repository's
 * own FGSM against the shipped baseline CNN, imported into a real case and purified from the grid
 * with a small bundle calibrated for real by `acsr calibrate-evasion`
 * (test/evasion/calibrated-case-fixture.ts). The purify dialog says which bundle has an evasion
 * check; the grid marks the items above the threshold ("suspected evasion"), orders by the score
 * and filters to the suspected ones; the item view explains which signals fired and by how much;
 * an item purified again with the uncalibrated bundle says there is no evasion check.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CaseFolder } from '../../main/case/case-folder.ts';
import type { PurificationRun } from '../../main/case/records.ts';
import { verifyCase } from '../../main/case/verify-case.ts';
import { makeCalibratedBundle, writeTestImages } from '../evasion/calibrated-case-fixture.ts';
import { launchChromium, openWatchedPage, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

let fixture: DesktopFixture;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const CASE_NUMBER = 'E-2026-3';

before(async () => {
  fixture = await startDesktopFixture();
  // Trained into the workspace's bundles/ folder, where the purify dialog offers them.
  makeCalibratedBundle(join(fixture.workspace, 'bundles'), { plain: 'fmnist-small', calibrated: 'fmnist-small-calibrated' });
  browser = await launchChromium();
  page = await openWatchedPage(browser, pageErrors);
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

const tiles = () => page.getByTestId('evidence-tile');
const tileIds = async () => (await tiles().evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-item-id'))))) as number[];

async function latestRuns(): Promise<Map<number, PurificationRun>> {
  const opened = await CaseFolder.open(join(fixture.workspace, CASE_NUMBER), { readonly: true });
  try {
    return new Map([...opened.db.items()].map((item) => [item.id, opened.db.purificationRuns(item.id).at(-1)!]));
  } finally {
    opened.close();
  }
}

async function choose(label: string | RegExp, option: string | RegExp, scope = page.locator('body')) {
  await scope.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

test('suspected evasion: badge, order and filter in the grid, the explanation in the item view', { timeout: 900_000 }, async () => {
  const images = await writeTestImages(join(fixture.root, 'evidence'), 12);
  assert.ok(images.attacked.length >= 3, `${images.attacked.length} successful attacks on 12 test images`);
  const total = images.clean.length + images.attacked.length;

  await page.goto(fixture.host.url);
  await page.getByTestId('examiner-name').fill('A. Jones');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('case-number').fill(CASE_NUMBER);
  await page.getByTestId('case-title').fill('Flagged uploads');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('empty-case').waitFor();
  await page.getByTestId('import-path').fill(join(fixture.root, 'evidence'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText(`${total} imported, 0 duplicates skipped, 0 errors`).waitFor({ timeout: 120_000 });

  // Purify everything; the dialog says which bundle checks for evasion.
  await page.getByTestId('evidence-grid').click();
  await page.keyboard.press('Control+a');
  await page.getByTestId('bulk-purify').click();
  const purifyDialog = page.getByTestId('purify-dialog');
  await choose('Reference bundle', 'fmnist-small (trained)', purifyDialog);
  await purifyDialog.getByText('No evasion check for this bundle').waitFor();
  await choose('Reference bundle', 'fmnist-small-calibrated (trained)', purifyDialog);
  await purifyDialog.locator('[data-testid=evasion-check-note][data-evasion-check=yes]').waitFor();
  await choose(/Content filter/, 'Fashion-MNIST clothing classifier', purifyDialog);
  await purifyDialog.getByRole('button', { name: 'Purify', exact: true }).click();
  await page
    .locator('[data-testid=job-row][data-job-state=completed]')
    .filter({ hasText: /Purify/ })
    .first()
    .waitFor({ timeout: 780_000 });
  await page
    .locator('[data-testid=evidence-tile][data-purified=true]')
    .nth(total - 1)
    .waitFor();

  const runs = await latestRuns();
  const scored = [...runs.entries()].map(([itemId, run]) => ({ itemId, evasion: run.evasion! }));
  assert.ok(
    scored.every((entry) => entry.evasion),
    'every run of the calibrated bundle has a score',
  );
  const suspected = scored.filter((entry) => entry.evasion.suspected).map((entry) => entry.itemId);
  assert.ok(suspected.length > 0, 'some item lies above the calibrated threshold');

  // The badge marks exactly the suspected items.
  const badged = (await page
    .locator('[data-testid=evidence-tile]:has([data-testid=evasion-badge])')
    .evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-item-id'))))) as number[];
  assert.deepEqual(
    badged.sort((a, b) => a - b),
    [...suspected].sort((a, b) => a - b),
  );

  // Ordered by the score, highest first: one of the grid's sorts, done by the service.
  await choose('Sort by', 'Evasion score');
  const byScore = [...scored].sort((a, b) => b.evasion.score - a.evasion.score || a.itemId - b.itemId).map((entry) => entry.itemId);
  await page.waitForFunction(
    (expected) => Array.from(document.querySelectorAll('[data-testid=evidence-tile]')).map((node) => Number(node.getAttribute('data-item-id')))[0] === expected,
    byScore[0],
  );
  assert.deepEqual(await tileIds(), byScore);

  // Only the suspected ones, still in score order.
  await choose(/^Evasion/, 'Suspected evasion');
  await page.getByText(`${suspected.length} item${suspected.length === 1 ? '' : 's'} shown`).waitFor();
  assert.deepEqual(
    await tileIds(),
    byScore.filter((itemId) => suspected.includes(itemId)),
  );
  await screenshot(page, '37-suspected-evasion');

  // The item view explains the top one: the signals that fired, in words, with their numbers.
  const top = scored.find((entry) => entry.itemId === byScore[0])!;
  await page.locator(`[data-testid=evidence-tile][data-item-id="${top.itemId}"]`).dblclick();
  const dialog = page.getByTestId('item-dialog');
  const explanation = dialog.locator('[data-testid=evasion-explanation][data-suspected=true]');
  await explanation.waitFor({ timeout: 30_000 });
  await explanation.getByText('Suspected evasion', { exact: true }).waitFor();
  assert.match(
    await explanation.getByTestId('evasion-score-line').innerText(),
    new RegExp(
      `Evasion score ${top.evasion.score.toFixed(2)}, threshold ${top.evasion.threshold.toFixed(2)}: this image was probably altered to fool the content filter`,
    ),
  );
  const fired = top.evasion.signals.filter((signal) => signal.contribution >= 0.5).sort((a, b) => b.contribution - a.contribution);
  const firedShown = explanation.getByTestId('evasion-fired').locator('li');
  assert.deepEqual(
    await firedShown.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-signal'))),
    fired.map((signal) => signal.name),
  );
  const purification = top.evasion.signals.find((signal) => signal.name === 'purificationShift')!;
  await explanation.getByText(new RegExp(`The filter's verdict changed .* after purification \\(${purification.value.toFixed(2)} of at most 2\\)`)).waitFor();
  await screenshot(page, '37-suspected-evasion-explained');
  await page.keyboard.press('Escape');

  // Purified again with the uncalibrated bundle: no score, and the view says why.
  await choose(/^Evasion/, 'Any');
  await page.locator(`[data-testid=evidence-tile][data-item-id="${top.itemId}"]`).click();
  await page.getByTestId('bulk-purify').click();
  await choose('Reference bundle', 'fmnist-small (trained)', purifyDialog);
  await choose(/Content filter/, 'None (no verdicts)', purifyDialog);
  await purifyDialog.getByRole('button', { name: 'Purify', exact: true }).click();
  await page
    .locator('[data-testid=job-row][data-job-state=completed]')
    .filter({ hasText: `Purify item #${top.itemId}` })
    .waitFor({ timeout: 120_000 });
  await page.locator(`[data-testid=evidence-tile][data-item-id="${top.itemId}"]:not(:has([data-testid=evasion-badge]))`).waitFor();
  await page.locator(`[data-testid=evidence-tile][data-item-id="${top.itemId}"]`).dblclick();
  await dialog.getByTestId('evasion-none').getByText('No evasion check for this bundle').waitFor({ timeout: 30_000 });
  await page.keyboard.press('Escape');
  // Still sorted by evasion score: the item without a score now comes after every scored one.
  const rescored = [...byScore.filter((itemId) => itemId !== top.itemId), top.itemId];
  await page.waitForFunction(
    (expected) =>
      Array.from(document.querySelectorAll('[data-testid=evidence-tile]'))
        .map((node) => Number(node.getAttribute('data-item-id')))
        .at(-1) === expected,
    top.itemId,
  );
  assert.deepEqual(await tileIds(), rescored);

  const opened = await CaseFolder.open(join(fixture.workspace, CASE_NUMBER), { readonly: true });
  try {
    const verification = await verifyCase(opened.db, opened.store, { examiner: 'test', record: false });
    assert.equal(verification.ok, true, verification.firstBrokenLink ?? '');
  } finally {
    opened.close();
  }
  assert.deepEqual(pageErrors, []);
});
