/**
 * Triage by filter score in Debian's Chromium against `acsr serve`, on a case of 500 items: the
 * import job scores every item with the real content filter (the tile shows its verdict, the
 * item view every score and the filter by name); the grid sorts by a class's score both ways and
 * by name, exactly as the scores and names in the case database order them; search by file name
 * and by folder narrows it; the verdict filter offers only the classes of the filter that scored
 * the case.
 *
 * The 20 shared photos go through the app's import job, which loads the filter and scores them.
 * 480 byte-distinct copies of them (a few bytes after the image data, so each is an item and not a
 * duplicate; hard links would be duplicates) then go through the same import code into the same
 * case. A copy's thumbnail has exactly its photo's pixels, so the filter's answer for those pixels
 * is the one the app's import recorded for the photo: the copies are scored with those answers
 * (the real model is loaded only for pixels the app did not score), rather than running the model
 * 480 more times on a shared machine.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadImageClassifier, type ImageClassifier } from '../../main/acsr/models/latent-extractor.ts';
import { findModelEntry, loadModelRegistry } from '../../main/acsr/models/model-registry.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeFilterThumbnail } from '../../main/case/filter-thumbnail.ts';
import { copyPhotos, writeDistinctCopies } from '../case/case-fixtures.ts';
import { launchChromium, openWatchedPage, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

const CASE_ID = 'TRIAGE-1';
const FILTER_ID = 'nsfwjs-mobilenet-v2';
const EXAMINER = 'R. Patel';
const NAME_ORDER = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

let fixture: DesktopFixture;
let browser: Browser;
let page: Page;
let model: ImageClassifier | undefined;
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

const keyOf = (data: ArrayLike<number>) =>
  createHash('sha256')
    .update(Buffer.from(Float32Array.from(data).buffer))
    .digest('hex');

/**
 * The filter as the app's import met it: for the pixels of each photo's thumbnail, the scores the
 * import job recorded (as logits: the log of each probability, which the import's softmax turns
 * back into the same probabilities); any other pixels go to the real model, loaded then.
 */
async function filterAsTheAppScored(caseFolder: CaseFolder, photosFolder: string): Promise<ImageClassifier> {
  const entry = findModelEntry(loadModelRegistry(), FILTER_ID);
  const answers = new Map<string, Float32Array>();
  let weightSha256 = '';
  for (const item of caseFolder.db.items()) {
    const [verdict] = caseFolder.db.verdicts(item.id);
    weightSha256 = verdict.modelWeightsSha256;
    const thumbnail = await makeFilterThumbnail(join(photosFolder, item.originalName), entry.input);
    answers.set(
      keyOf(Float32Array.from(thumbnail.rgb, (value) => value / 255)),
      Float32Array.from(entry.classNames, (name) => Math.log(verdict.scores[name])),
    );
  }
  return {
    identity: { id: FILTER_ID, weightSha256, backend: 'the app import' },
    classNames: entry.classNames,
    inputSize: entry.input,
    dispose: () => {},
    async scores(images) {
      const rows = images.map((image) => answers.get(keyOf(image.data)));
      const unseen = images.filter((_, index) => !rows[index]);
      if (unseen.length > 0) {
        model ??= await loadImageClassifier(FILTER_ID);
        const fresh = await model.scores(unseen);
        rows.forEach((row, index) => (rows[index] = row ?? fresh.shift()));
      }
      return rows as Float32Array[];
    },
  };
}

const shownIds = () => page.locator('[data-testid=evidence-tile]').evaluateAll((tiles) => tiles.map((tile) => Number(tile.getAttribute('data-item-id'))));

async function chooseSort(option: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Sort by' }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Waits until the grid's first tiles are `expected`'s first tiles (the rest are not drawn: the grid is virtualised). */
async function waitForOrder(expected: number[]): Promise<number[]> {
  let shown: number[] = [];
  for (let attempt = 0; attempt < 300; attempt++) {
    shown = await shownIds();
    if (shown.length > 0 && shown.every((id, index) => id === expected[index])) return shown;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(shown, expected.slice(0, shown.length));
  return shown;
}

test('500 items scored at import, sorted by score and by name, searched by file name', { timeout: 900_000 }, async (t) => {
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
  await writeDistinctCopies(copies, 24);
  const seeding = await CaseFolder.open(join(fixture.workspace, CASE_ID));
  try {
    const summary = await seeding.importEvidence([copies], { examiner: EXAMINER, classifier: await filterAsTheAppScored(seeding, photos) });
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
  // Each copy scored as its photo: the same pixels, the same verdict.
  const photoScores = new Map(records.slice(0, 20).map((r) => [r.name, r.scores]));
  for (const copy of records.slice(20)) {
    const photo = photoScores.get(copy.name.replace(/-\d+(\.\w+)$/, '$1'))!;
    for (const [name, probability] of Object.entries(copy.scores)) assert.ok(Math.abs(probability - photo[name]) < 1e-6, `${copy.name}: ${name}`);
  }
  const classNames = Object.keys(records[0].scores);
  // The class other than Neutral whose scores spread the most: the order it gives is the least trivial.
  const spread = (name: string) => Math.max(...records.map((r) => r.scores[name])) - Math.min(...records.map((r) => r.scores[name]));
  const sortClass = classNames.filter((name) => name !== 'Neutral').sort((a, b) => spread(b) - spread(a))[0];
  const byScore = [...records].sort((a, b) => b.scores[sortClass] - a.scores[sortClass] || a.itemId - b.itemId).map((r) => r.itemId);

  // a reload returns to the open case, now with every item
  await page.reload();
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
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('[data-testid=evidence-tile]')).every((tile) => !tile.textContent?.includes('loading…')),
  );
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
  // The grid is virtualised: the tiles drawn are chelsea's (the count above says all 25 are listed).
  let drawn: number[] = [];
  for (let attempt = 0; attempt < 300 && !(drawn.length >= 10 && drawn.every((id) => chelsea.includes(id))); attempt++) {
    await page.waitForTimeout(100);
    drawn = await shownIds();
  }
  assert.ok(drawn.length >= 10, `${drawn.length} tiles drawn`);
  assert.deepEqual(
    drawn.filter((id) => !chelsea.includes(id)),
    [],
    'only chelsea tiles are drawn',
  );
  await page.getByTestId('grid-search').fill('more-photos');
  await page.getByText('480 items shown').waitFor();
  await page.getByTestId('grid-search').fill('');
  await page.getByText('500 items').waitFor();

  // The item view: every class's score and the filter by name, its id only on demand.
  // (the first tile drawn: the grid is virtualised and still sorted by name, so any item may be out of view)
  const [firstDrawn] = await shownIds();
  await page.locator(`[data-testid=evidence-tile][data-item-id="${firstDrawn}"]`).dblclick();
  const scores = page.getByTestId('item-filter-scores');
  await scores.getByText('scored at import').waitFor();
  assert.equal(await scores.getByTestId('item-filter-score').count(), classNames.length);
  assert.doesNotMatch((await scores.textContent()) ?? '', /nsfwjs-mobilenet-v2/);
  assert.deepEqual(pageErrors, []);
});
