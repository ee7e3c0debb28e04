/**
 * Known-content hash lists and near-duplicates in the app, in Debian's Chromium against
 * `acsr serve`: a list built from two shared photos is in the workspace before the evidence (a
 * JPEG q70 re-encode, a half-size copy and a mirror of each, plus two unrelated photos) is
 * imported. The import matches by itself: the matched tiles carry a badge, the filter shows only
 * them (and one list category), the item view names the list, its category and the distance.
 * Grouped by near-duplicate, each photo's copies fold into one tile with their count, expand to
 * their members, and a category given to a folded tile goes to its whole group after the usual
 * confirmation, undoable; the case still verifies.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { computePdqDihedralOfFile } from '../../main/pdq/pdq.ts';
import { copyPhotos, photosDir, writeNearCopies } from '../case/case-fixtures.ts';
import { runAcsrInProcess } from '../support/acsr-in-process.ts';
import { createCase, screenshot, signIn, startDesktopSession, startImport, type DesktopSession } from './support/desktop-fixture.ts';

const LISTED = { 'china.jpg': 'CAT-2', 'flower.jpg': 'CAT-3' } as const;
const UNRELATED = ['skimage-coffee.png', 'darknet-dog.jpg'];

let ui: DesktopSession;
let page: Page;

before(async () => {
  ui = await startDesktopSession({ viewport: { width: 1280, height: 860 } });
  page = ui.page;
});

after(async () => {
  await ui?.close();
});

const tiles = () => page.locator('[data-testid=evidence-tile]');
const tileIds = () => tiles().evaluateAll((all) => all.map((one) => Number(one.getAttribute('data-item-id'))));

async function choose(filter: string, option: string | RegExp): Promise<void> {
  await page.getByRole('combobox', { name: filter }).click();
  await page.getByRole('option', { name: option }).click();
}

test('matched items carry a badge and filter; near-duplicates fold into one tile and are tagged as a group', { timeout: 240_000 }, async () => {
  // The evidence: three copies of each listed photo (named so that they import together), two others.
  const folder = join(ui.root, 'uploads');
  await mkdir(folder, { recursive: true });
  const lines = ['hash,kind,category,source'];
  for (const [photo, category] of Object.entries(LISTED)) {
    await writeNearCopies(folder, photo, (copy, index) => `${index + 1}-${copy}`);
    lines.push(`${(await computePdqDihedralOfFile(join(photosDir, photo))).original.hash},pdq,${category},${photo} original`);
  }
  await copyPhotos(folder, UNRELATED);
  const list = join(ui.root, 'known-pictures.csv');
  await writeFile(list, lines.join('\n') + '\n');
  const imported = await runAcsrInProcess([
    'hashlist',
    'import',
    '--workspace',
    ui.workspace,
    '--file',
    list,
    '--name',
    'Known pictures',
    '--examiner',
    'R. Patel',
    '--quiet',
  ]);
  assert.equal(imported.code, 0, imported.stderr);

  await signIn(page, ui.host.url, 'R. Patel');
  await createCase(page, '2026-0101', 'Reposted pictures');
  await startImport(page, folder);
  await page.getByText('8 items').waitFor({ timeout: 90_000 });

  // By file name: the china copies are items 1-3, the dog 4, the flower copies 5-7, the coffee 8.
  const badged = await page
    .locator('[data-testid=evidence-tile]:has([data-testid=hash-match-badge])')
    .evaluateAll((all) => all.map((one) => Number(one.getAttribute('data-item-id'))));
  assert.deepEqual(badged, [1, 2, 3, 5, 6, 7]);
  assert.match((await page.locator('[data-item-id="1"] [data-testid=hash-match-badge]').textContent()) ?? '', /on a hash list · CAT-2/);

  await choose('Hash lists', 'Matches a hash list');
  await page.getByText('6 items shown').waitFor();
  assert.deepEqual(await tileIds(), [1, 2, 3, 5, 6, 7]);
  await screenshot(page, '35-hash-match-badges');
  await choose('Hash lists', 'Matches a list as CAT-3');
  await page.getByText('3 items shown').waitFor();
  assert.deepEqual(await tileIds(), [5, 6, 7]);

  // The item view: the list, its category and how close the mirrored copy is.
  await page.locator('[data-item-id="7"]').dblclick();
  const dialog = page.getByTestId('item-dialog');
  const match = dialog.getByTestId('item-hash-match');
  await match.waitFor();
  assert.equal(await match.count(), 1);
  assert.match((await match.textContent()) ?? '', /^Known picturesCAT-3similar picture: \d+ of 256 bits differ, mirrored left to right$/);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  await choose('Hash lists', 'Any item');
  await page.getByText('8 items').waitFor();

  // Grouped: one tile per photo's copies with the count; expanding shows the members.
  await page.getByTestId('group-near-duplicates').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=evidence-tile]').length === 4);
  assert.equal(await page.getByTestId('group-chip').count(), 2);
  assert.deepEqual(await page.getByTestId('group-chip').allTextContents(), ['3 near-duplicates', '3 near-duplicates']);
  const [chinaTile, dogTile, flowerTile, coffeeTile] = await tileIds();
  assert.ok([1, 2, 3].includes(chinaTile) && [5, 6, 7].includes(flowerTile), `tiles ${chinaTile}, ${flowerTile}`);
  assert.deepEqual([dogTile, coffeeTile], [4, 8]);
  await page.locator(`[data-item-id="${flowerTile}"] [data-testid=group-chip]`).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=evidence-tile]').length === 6);
  assert.deepEqual((await tileIds()).slice(2, 5).sort(), [5, 6, 7]);
  await screenshot(page, '36-near-duplicate-groups');

  // A category for the folded group goes to its three members, after the confirmation, and is undone.
  await page.locator(`[data-item-id="${chinaTile}"]`).click();
  await page.keyboard.press('2');
  const confirm = page.getByTestId('confirm-bulk');
  await confirm.getByText(/to 3 items\?/).waitFor();
  await page.keyboard.press('Enter');
  await page
    .getByTestId('notice-success')
    .getByText(/given to 3 items/)
    .waitFor();
  await page.getByTestId('group-near-duplicates').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=evidence-tile]').length === 8);
  const categories = () => tiles().evaluateAll((all) => all.map((one) => one.getAttribute('data-category')));
  assert.deepEqual(await categories(), ['CAT-2', 'CAT-2', 'CAT-2', '', '', '', '', '']);
  // Undo on the message (the grouping switch has the focus, and Ctrl+Z in a control is the control's own).
  await page.getByTestId('notice-success').filter({ hasText: 'given to 3 items' }).getByRole('button', { name: 'Undo' }).click();
  await page
    .getByTestId('notice-info')
    .getByText(/Undone: .* given to 3 items/)
    .waitFor();
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('[data-testid=evidence-tile]')).every((one) => one.getAttribute('data-category') === ''),
  );

  const verified = await runAcsrInProcess(['case', 'verify', '--case', join(ui.workspace, '2026-0101'), '--examiner', 'R. Patel', '--quiet']);
  assert.equal(verified.code, 0, verified.stderr);
  assert.deepEqual(ui.pageErrors, []);
});
