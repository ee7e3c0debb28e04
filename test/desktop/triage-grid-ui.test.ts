/**
 * Triage by filter score in Debian's Chromium against `acsr serve`, on a case of 500 items: the
 * import job scores every item with the real content filter (the tile shows its verdict, the
 * item view every score and the filter by name); the grid sorts by a class's score both ways and
 * by name, exactly as the scores and names in the case database order them; search by file name
 * and by folder narrows it; the verdict filter offers only the classes of the filter that scored
 * the case.
 *
 * 20 photos go through the app's import; 480 byte-distinct smaller copies of them (a few bytes
 * after the image data, so each is an item and not a duplicate; hard links would be duplicates)
 * are imported into the same case through the same import code with the same model, whose answers
 * are remembered by the exact pixels it was shown: the copies of a photo have one thumbnail, so
 * the model runs once per picture instead of 480 times on a shared machine.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { loadImageClassifier, type ImageClassifier } from '../../main/acsr/models/latent-extractor.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { copyPhotos, photosDir } from '../case/case-fixtures.ts';
import { launchChromium, openWatchedPage, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

const CASE_ID = 'TRIAGE-1';
const EXAMINER = 'R. Patel';
const NAME_ORDER = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

let fixture: DesktopFixture;
let browser: Browser;
let page: Page;
let model: ImageClassifier;
const pageErrors: string[] = [];

before(async () => {
  fixture = await startDesktopFixture();
  browser = await launchChromium();
  page = await openWatchedPage(browser, pageErrors, { width: 1440, height: 900 });
});

after(async () => {
  model?.dispose();
  await browser?.close();
  await fixture?.close();
});

/** The real filter, run once per distinct picture: the same pixels always get the same scores. */
function rememberingClassifier(real: ImageClassifier): ImageClassifier {
  const seen = new Map<string, Float32Array>();
  const keyOf = (data: ArrayLike<number>) =>
    createHash('sha256')
      .update(Buffer.from(Float32Array.from(data).buffer))
      .digest('hex');
  return {
    identity: real.identity,
    classNames: real.classNames,
    inputSize: real.inputSize,
    dispose: () => {},
    async scores(images) {
      const keys = images.map((image) => keyOf(image.data));
      const unseen = images.filter((_, index) => !seen.has(keys[index]));
      const fresh = unseen.length > 0 ? await real.scores(unseen) : [];
      unseen.forEach((image, index) => seen.set(keyOf(image.data), fresh[index]));
      return keys.map((key) => seen.get(key)!);
    },
  };
}

/** `copies` byte-distinct JPEG copies of each shared photo, at most 320 pixels wide or high (quick to decode). */
async function writeSmallCopies(folder: string, copies: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const name of (await readdir(photosDir)).sort()) {
    const small = await sharp(join(photosDir, name)).resize(320, 320, { fit: 'inside' }).jpeg({ quality: 90 }).toBuffer();
    const base = name.slice(0, name.lastIndexOf('.'));
    for (let copy = 0; copy < copies; copy++) await writeFile(join(folder, `${base}-${copy}.jpg`), Buffer.concat([small, Buffer.from(`copy ${copy}`)]));
  }
}

const shownIds = () => page.locator('[data-testid=evidence-tile]').evaluateAll((tiles) => tiles.map((tile) => Number(tile.getAttribute('data-item-id'))));

async function chooseSort(option: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Sort by' }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Waits until the grid's first tiles are `expected`'s first tiles (the rest are not drawn: the grid is virtualised). */
async function waitForOrder(expected: number[]): Promise<number[]> {
  let shown: number[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    shown = await shownIds();
    if (shown.length > 0 && shown.every((id, index) => id === expected[index])) return shown;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(shown, expected.slice(0, shown.length));
  return shown;
}

test('500 items scored at import, sorted by score and by name, searched by file name', { timeout: 600_000 }, async (t) => {
  const started = performance.now();
  const phase = (what: string) => t.diagnostic(`${what} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const photos = join(fixture.root, 'photos');
  await copyPhotos(photos);
  await page.goto(fixture.host.url);
  await page.getByTestId('examiner-name').fill(EXAMINER);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('case-number').fill(CASE_ID);
  await page.getByTestId('case-title').fill('Triage by filter score');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('empty-case').waitFor();
  await page.getByTestId('import-path').fill(photos);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText('20 items').waitFor({ timeout: 300_000 });
  // Scored by the import job itself: the first tile shows the filter's verdict at once.
  await page.locator('[data-testid=evidence-tile][data-item-id="1"] [data-testid=filter-score]').waitFor();
  phase('20 photos imported and scored by the app');

  // 480 more items, through the same import and filter.
  const copies = join(fixture.root, 'more-photos');
  await writeSmallCopies(copies, 24);
  model = await loadImageClassifier('nsfwjs-mobilenet-v2');
  const seeding = await CaseFolder.open(join(fixture.workspace, CASE_ID));
  try {
    const summary = await seeding.importEvidence([copies], { examiner: EXAMINER, classifier: rememberingClassifier(model) });
    assert.equal(summary.imported, 480);
    assert.equal(summary.filter?.classified, 480);
  } finally {
    seeding.close();
  }

  phase('480 copies imported and scored');

  // What the case database says: every item's scores and name.
  const opened = await CaseFolder.open(join(fixture.workspace, CASE_ID), { readonly: true });
  const records = [...opened.db.items()].map((item) => ({ itemId: item.id, name: item.originalName, scores: opened.db.verdicts(item.id).at(-1)!.scores }));
  opened.close();
  assert.equal(records.length, 500);
  const classNames = Object.keys(records[0].scores);
  // The class other than Neutral whose scores spread the most: the order it gives is the least trivial.
  const spread = (name: string) => Math.max(...records.map((r) => r.scores[name])) - Math.min(...records.map((r) => r.scores[name]));
  const sortClass = classNames.filter((name) => name !== 'Neutral').sort((a, b) => spread(b) - spread(a))[0];
  const byScore = [...records].sort((a, b) => b.scores[sortClass] - a.scores[sortClass] || a.itemId - b.itemId).map((r) => r.itemId);

  await page.reload();
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  await page.getByText('500 items').waitFor();
  phase('500 items in the grid');

  // The verdict filter offers the classes of the filter that scored the case, and nothing else.
  await page.getByRole('combobox', { name: 'Verdict' }).click();
  const verdictOptions = await page.getByRole('option').allTextContents();
  await page.keyboard.press('Escape');
  assert.deepEqual(
    verdictOptions.filter((option) => option !== 'Any verdict').sort(),
    ['Before', 'After'].flatMap((stage) => classNames.map((name) => `${stage} purification: ${name}`)).sort(),
  );

  // Highest score first, then lowest first.
  await chooseSort(`Filter score: ${sortClass}`);
  const top = await waitForOrder(byScore);
  assert.ok(top.length >= 10, `${top.length} tiles drawn`);
  const firstChip = page.locator(`[data-testid=evidence-tile][data-item-id="${byScore[0]}"] [data-testid=filter-score]`);
  assert.match((await firstChip.textContent()) ?? '', new RegExp(sortClass));
  // Every drawn tile's thumbnail in, so the picture shows the grid as the investigator sees it.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=evidence-tile]')].every((tile) => !tile.textContent?.includes('loading…')));
  await screenshot(page, '34-grid-sorted-by-score');
  phase('sorted by score');
  await page.getByTestId('grid-sort-direction').click();
  await waitForOrder([...byScore].reverse().sort((a, b) => records[a - 1].scores[sortClass] - records[b - 1].scores[sortClass] || a - b));

  // By name, A to Z and Z to A.
  const byName = [...records].sort((a, b) => NAME_ORDER.compare(a.name, b.name) || a.itemId - b.itemId).map((r) => r.itemId);
  await chooseSort('File name');
  await waitForOrder(byName);
  await page.getByTestId('grid-sort-direction').click();
  await waitForOrder([...records].sort((a, b) => NAME_ORDER.compare(b.name, a.name) || a.itemId - b.itemId).map((r) => r.itemId));

  phase('sorted by name');

  // Search by file name, then by the folder the files came from.
  await page.getByTestId('grid-search').fill('CHELSEA');
  await page.getByText('25 items shown').waitFor();
  const chelsea = records.filter((r) => r.name.includes('chelsea')).map((r) => r.itemId);
  assert.deepEqual(
    (await shownIds()).sort((a, b) => a - b),
    chelsea.sort((a, b) => a - b),
  );
  await page.getByTestId('grid-search').fill('more-photos');
  await page.getByText('480 items shown').waitFor();
  await page.getByTestId('grid-search').fill('');
  await page.getByText('500 items').waitFor();

  // The item view: every class's score and the filter by name, its id only on demand.
  await page.locator(`[data-testid=evidence-tile][data-item-id="${byScore[0]}"]`).dblclick();
  const scores = page.getByTestId('item-filter-scores');
  await scores.getByText('scored at import').waitFor();
  assert.equal(await scores.getByTestId('item-filter-score').count(), classNames.length);
  assert.doesNotMatch((await scores.textContent()) ?? '', /nsfwjs-mobilenet-v2/);
  assert.deepEqual(pageErrors, []);
});
