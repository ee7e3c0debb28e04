/**
 * Safe bulk labelling and failures that cannot be missed, in Debian's Chromium against
 * `acsr serve` with a real case database: a category for every item is asked about first
 * (Escape cancels, Enter confirms), the change is undone with Ctrl+Z and with the message's Undo
 * (reversal entries in the audit log; the case still verifies), categories show as colour and
 * code at every size; then the case database is tampered with, Verify puts a banner on the case
 * and a mark on the item, both survive a reload, and go when a later verification passes.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { copyPhotos } from '../case/case-fixtures.ts';
import { createCase, screenshot, signIn, startDesktopSession, startImport, type DesktopSession } from './support/desktop-fixture.ts';

const PHOTOS = ['china.jpg', 'flower.jpg', 'skimage-camera.png', 'skimage-chelsea.png', 'darknet-dog.jpg', 'skimage-coffee.png'];
const CASE_ID = '2026-0077';

let ui: DesktopSession;
let page: Page;

before(async () => {
  ui = await startDesktopSession({ viewport: { width: 1280, height: 800 } });
  page = ui.page;
});

after(async () => {
  await ui?.close();
});

const tile = (itemId: number) => page.locator(`[data-testid=evidence-tile][data-item-id="${itemId}"]`);
const categories = () => page.locator('[data-testid=evidence-tile]').evaluateAll((tiles) => tiles.map((one) => one.getAttribute('data-category')));

async function auditActions(): Promise<{ action: string; parameters: Record<string, unknown> }[]> {
  const opened = await CaseFolder.open(join(ui.workspace, CASE_ID), { readonly: true });
  try {
    return [...opened.db.auditRows()].map((row) => ({ action: row.action, parameters: JSON.parse(row.parameters) as Record<string, unknown> }));
  } finally {
    opened.close();
  }
}

async function verifyInTheApp(expected: 'completed'): Promise<void> {
  const before = await page.locator('[data-testid=job-row]').filter({ hasText: 'Verify case' }).count();
  await page.getByRole('button', { name: 'Verify case' }).click();
  await page.locator(`[data-testid=job-row][data-job-state=${expected}]`).filter({ hasText: 'Verify case' }).nth(before).waitFor({ timeout: 60_000 });
}

test('a category for every item is confirmed first, and undone with Ctrl+Z and with Undo', { timeout: 180_000 }, async () => {
  const folder = join(ui.root, 'photos');
  await copyPhotos(folder, PHOTOS);
  await signIn(page, ui.host.url, 'R. Patel');
  await createCase(page, CASE_ID, 'Escalated uploads');
  await startImport(page, folder);
  await page.getByText(`${PHOTOS.length} items`).waitFor({ timeout: 60_000 });
  await page.getByTestId('category-legend').waitFor();

  // One item: no question asked.
  await tile(2).click();
  await page.keyboard.press('3');
  await tile(2).and(page.locator('[data-category="CAT-3"]')).waitFor();

  // Every item: asked, with the count and the category; Escape changes nothing.
  await page.getByTestId('evidence-grid').focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('1');
  const dialog = page.getByTestId('confirm-bulk');
  await dialog.getByText(`Give CAT-1 (illegal: child abuse material) to ${PHOTOS.length} items?`).waitFor();
  await screenshot(page, '30-bulk-category-confirm');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.deepEqual(await categories(), ['', 'CAT-3', '', '', '', '']);

  // Enter confirms.
  await page.getByTestId('evidence-grid').focus();
  await page.keyboard.press('1');
  await dialog.getByText(`to ${PHOTOS.length} items?`).waitFor();
  await page.keyboard.press('Enter');
  await page.getByTestId('notice-success').getByText(`CAT-1 (illegal: child abuse material) given to ${PHOTOS.length} items`).waitFor();
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('[data-testid=evidence-tile]')).every((one) => one.getAttribute('data-category') === 'CAT-1'),
  );
  await screenshot(page, '31-bulk-category-given-with-undo');

  // Ctrl+Z: item 2 has CAT-3 again, the rest no category.
  await page.keyboard.press('Control+z');
  await page.getByTestId('notice-info').getByText(`Undone: CAT-1 (illegal: child abuse material) given to ${PHOTOS.length} items`).waitFor();
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll('[data-testid=evidence-tile]'))
        .map((one) => one.getAttribute('data-category'))
        .join() === ',CAT-3,,,,',
  );

  // A bulk user tag, confirmed, shown on the tiles, then taken back with the message's Undo.
  await tile(4).click();
  await tile(5).click({ modifiers: ['Control'] });
  await page.getByTestId('bulk-tag').click();
  await page.getByTestId('bulk-tag-input').fill('second look');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await dialog.getByText('Tag 2 items “second look”?').waitFor();
  await dialog.getByRole('button', { name: 'Tag 2 items' }).click();
  await tile(4).getByTestId('tile-tags').getByText('second look').waitFor();
  await tile(5).getByTestId('tile-tags').getByText('second look').waitFor();
  await page.getByTestId('notice-success').filter({ hasText: 'Tag “second look” given to 2 items' }).getByRole('button', { name: 'Undo' }).click();
  await tile(4).getByTestId('tile-tags').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('tile-tags').count(), 0);

  // A category given in the item view is undone the same way.
  await tile(3).dblclick();
  const itemDialog = page.getByTestId('item-dialog');
  await itemDialog.getByRole('button', { name: 'comparison image' }).click();
  await tile(3).and(page.locator('[data-category="CAT-4"]')).waitFor();
  await itemDialog.getByRole('button', { name: 'Close' }).click();
  await itemDialog.waitFor({ state: 'detached' });
  await page.keyboard.press('Control+z');
  await page.getByTestId('notice-info').getByText('Undone: CAT-4 given to one item').waitFor();
  await tile(3).and(page.locator('[data-category=""]')).waitFor();

  // The audit log: the changes and their reversals, each naming the entries it reverses.
  const entries = await auditActions();
  const reversals = entries.filter((entry) => entry.action === 'tag-reverse');
  assert.equal(reversals.length, 3);
  const tagSequences = await (async () => {
    const opened = await CaseFolder.open(join(ui.workspace, CASE_ID), { readonly: true });
    try {
      return [...opened.db.auditRows()].filter((row) => row.action === 'tag').map((row) => row.sequence);
    } finally {
      opened.close();
    }
  })();
  assert.equal((reversals[0]!.parameters.reverses as number[]).length, PHOTOS.length);
  for (const sequence of reversals.flatMap((reversal) => reversal.parameters.reverses as number[])) assert.ok(tagSequences.includes(sequence));

  // The case verifies with its reversals.
  await verifyInTheApp('completed');
  await page
    .getByTestId('job-summary')
    .getByText(/^verified: audit chain intact/)
    .waitFor();
  assert.equal(await page.getByTestId('verification-banner').count(), 0);

  // Colour and code at the smallest thumbnail size: never cut short.
  await page.getByRole('slider', { name: 'Thumbnail size' }).focus();
  await page.keyboard.press('Home');
  const badge = tile(2).getByTestId('category-chip');
  await badge.getByText('C3', { exact: true }).waitFor();
  assert.ok(await badge.evaluate((element) => element.scrollWidth <= element.clientWidth));
  assert.equal(await badge.evaluate((element) => getComputedStyle(element).backgroundColor), 'rgb(204, 121, 167)');
  await screenshot(page, '32-categories-small-thumbnails');
  await page.keyboard.press('End');
  assert.deepEqual(ui.pageErrors, []);
});

test('a tampered case database: a banner and a marked tile after Verify, kept on reload, gone after a clean verification', { timeout: 180_000 }, async () => {
  // As an attacker with write access would: the append-only trigger dropped, a category edited, the trigger put back.
  const tamper = (value: string) => {
    const db = new Database(join(ui.workspace, CASE_ID, 'case.sqlite'));
    try {
      const trigger = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'tags_no_update'`).pluck().get() as string;
      db.exec('DROP TRIGGER tags_no_update');
      db.prepare(`UPDATE tags SET value = ? WHERE item_id = 2 AND kind = 'category' AND id = (SELECT min(id) FROM tags WHERE item_id = 2)`).run(value);
      db.exec(trigger);
    } finally {
      db.close();
    }
  };
  tamper('CAT-5');
  await verifyInTheApp('completed');
  const banner = page.getByTestId('verification-banner');
  await banner.getByText('This case failed verification').waitFor();
  await banner.getByText(/found one problem: the case's records or files were changed outside this program, on one item \(marked in the grid\)/).waitFor();
  await banner
    .getByTestId('verification-first-problem')
    .getByText(/the value is "CAT-5" in tags, but audit entry \d+ recorded "CAT-3": the row was edited/)
    .waitFor();
  await banner.getByText(/What to do: do not rely on or hand over this case/).waitFor();
  assert.equal(await tile(2).getAttribute('data-flagged'), 'true');
  assert.deepEqual(
    await page.locator('[data-testid=evidence-tile][data-flagged=true]').evaluateAll((tiles) => tiles.map((one) => one.getAttribute('data-item-id'))),
    ['2'],
  );
  await tile(2).getByTestId('verification-mark').waitFor();
  await screenshot(page, '33-failed-verification-banner');

  // The jobs panel folds away and clears its finished jobs.
  const panel = page.getByTestId('jobs-panel');
  await panel.getByText('Jobs of this case').waitFor();
  await panel.getByRole('button', { name: 'Fold the jobs away' }).click();
  await page.locator('[data-testid=jobs-panel][data-collapsed=true]').waitFor();
  await page.getByRole('button', { name: 'Show the jobs' }).click();
  await panel.getByRole('button', { name: 'Clear finished' }).click();
  await panel.waitFor({ state: 'detached' });

  // A reload keeps the outcome: it is in the case's audit log (and the reload returns to the open case).
  await page.reload();
  await banner.getByText('This case failed verification').waitFor();
  await tile(2).getByTestId('verification-mark').waitFor();

  // Put back and verified again: the banner and the mark go.
  tamper('CAT-3');
  await verifyInTheApp('completed');
  await banner.waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-testid=evidence-tile][data-flagged=true]').count(), 0);
  await screenshot(page, '34-verification-passed-again');
  assert.deepEqual(ui.pageErrors, []);
});
