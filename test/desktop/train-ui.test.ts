/**
 * Stage i training in the workstation as an investigator does it, in Debian's Chromium against
 * `acsr serve`: a tiny labelled folder of real photo crops (two classes of six), the real nsfwjs
 * MobileNetV2 latents, real k-means and real dictionary learning (few atoms and iterations, so
 * it takes seconds on two shared cores). The elbow curves and atom grids must render from the
 * job's live outputs, the bundle must appear in the workspace and in the purify dialog, a name
 * in use must be refused, and a cancelled training must leave no bundle behind.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { DEFAULT_TRAINING_PARAMETERS } from '../../main/acsr/references/train-references.ts';
import { DEFAULT_CLASSIFIER_ID } from '../../main/workstation/purification-catalogue.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';
import { launchChromium, openWatchedPage, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

let fixture: DesktopFixture;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  fixture = await startDesktopFixture();
  browser = await launchChromium();
  page = await openWatchedPage(browser, pageErrors);
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

/** Two classes of six 64 px crops of real photos: animals and ground textures. */
async function writeLabelledFolder(root: string): Promise<string> {
  const folder = join(root, 'labelled');
  const crops: [string, string, number, number][] = [
    ['animals', 'skimage-chelsea.png', 140, 50],
    ['animals', 'skimage-chelsea.png', 200, 120],
    ['animals', 'darknet-dog.jpg', 130, 220],
    ['animals', 'darknet-dog.jpg', 200, 300],
    ['animals', 'darknet-horses.jpg', 250, 200],
    ['animals', 'darknet-horses.jpg', 420, 180],
    ['ground', 'skimage-brick.png', 0, 0],
    ['ground', 'skimage-brick.png', 200, 300],
    ['ground', 'skimage-grass.png', 50, 50],
    ['ground', 'skimage-grass.png', 300, 250],
    ['ground', 'skimage-gravel.png', 60, 100],
    ['ground', 'skimage-gravel.png', 350, 380],
  ];
  for (const [index, [cls, photo, left, top]] of crops.entries()) {
    await mkdir(join(folder, cls), { recursive: true });
    await writePhotoCrop(photo, join(folder, cls, `${cls}-${index}.png`), { left, top, size: 64 });
  }
  return folder;
}

const bundlesFolder = () => join(fixture.workspace, 'bundles');

test(
  'an investigator trains a bundle from a labelled folder, watches its elbow curves and atoms arrive, and purifies with it',
  { timeout: 600_000 },
  async () => {
    const labelled = await writeLabelledFolder(fixture.root);
    await page.goto(fixture.host.url);
    await page.getByTestId('examiner-name').fill('A. Jones');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('nav-training').click();
    const form = page.getByTestId('training-form');
    await form.waitFor();
    // acsr train's defaults, as the science defines them, are on screen before anything is typed.
    const d = DEFAULT_TRAINING_PARAMETERS;
    assert.equal(await page.getByTestId('train-atoms').inputValue(), String(d.atoms));
    assert.equal(await page.getByTestId('train-atom-size').inputValue(), String(d.atomSize));
    assert.equal(await page.getByTestId('train-k-max').inputValue(), String(d.kMax));
    assert.equal(await page.getByTestId('train-cdl-iterations').inputValue(), String(d.cdlIterations));
    assert.equal(await page.getByTestId('train-seed').inputValue(), String(d.seed));
    await form.getByText(DEFAULT_CLASSIFIER_ID).waitFor();

    await page.getByTestId('train-folder').fill(labelled);
    await page.getByTestId('train-name').fill('field-office');
    await page.getByTestId('train-k-max').fill('3');
    await page.getByTestId('train-atoms').fill('8');
    await page.getByTestId('train-cdl-iterations').fill('5');
    await form.getByRole('button', { name: 'Train bundle' }).click();

    const run = page.getByTestId('training-run');
    await run.waitFor();
    // Each class's elbow curve is drawn as soon as the class is clustered: one of the six images per
    // class is held out for validation, and five images allow k = 1..2 (at least 2 images per cluster).
    await page.getByTestId('elbow-chart').nth(1).waitFor({ timeout: 240_000 });
    const charts = await page.getByTestId('elbow-chart').evaluateAll((nodes) =>
      nodes.map((node) => ({
        cls: node.getAttribute('data-class'),
        points: node.querySelectorAll('circle').length,
        curve: node.querySelectorAll('polyline').length,
      })),
    );
    assert.deepEqual(charts, [
      { cls: 'animals', points: 2, curve: 1 },
      { cls: 'ground', points: 2, curve: 1 },
    ]);
    await run.locator('[data-job-state=completed]').or(page.locator('[data-testid=training-run][data-job-state=completed]')).waitFor({ timeout: 240_000 });
    await page.getByTestId('training-done').waitFor();
    // The specificity check of the dictionaries on the held-out images (one per class here) is shown as a heat map.
    await page.getByTestId('specificity-heatmap').waitFor();
    assert.match((await page.getByTestId('specificity-summary').textContent()) ?? '', /^2 held-out images: own cluster's dictionary best for \d+ %/);
    await screenshot(page, '22-training-done');

    // The bundle on disk is what the screen showed: its clusters each drew one atom grid of 8 atoms.
    const bundlePath = join(bundlesFolder(), 'field-office');
    assert.equal(await page.getByTestId('bundle-path').textContent(), bundlePath);
    const bundle = await loadReferenceBundle(bundlePath);
    const clusterIds = bundle.clusters.map((cluster) => cluster.id);
    const grids = await page.getByTestId('atom-grid').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-cluster')));
    assert.deepEqual(grids, clusterIds);
    assert.deepEqual(
      bundle.manifest.classes.map((cls) => cls.wcss.length),
      [2, 2],
    );
    assert.equal(bundle.manifest.parameters.atoms, 8);
    assert.equal(bundle.manifest.parameters.cdlIterations, 5);
    assert.equal(bundle.manifest.extractor.id, 'nsfwjs-mobilenet-v2');
    assert.equal(bundle.manifest.specificity?.images, 2);
    // The atom grids are real pictures of the atoms: not flat, and sized 3 x 3 cells of 32 px.
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid=atom-grid-image]')).every((image) => (image as HTMLImageElement).complete),
    );
    const spreads = await page.getByTestId('atom-grid-image').evaluateAll((images) =>
      (images as HTMLImageElement[]).map((image) => {
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        const distinct = new Set<number>();
        for (let i = 0; i < data.length; i += 4) distinct.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        return { width: image.naturalWidth, height: image.naturalHeight, distinct: distinct.size };
      }),
    );
    for (const spread of spreads) {
      assert.deepEqual([spread.width, spread.height], [3 * 32 + 4 * 2, 3 * 32 + 4 * 2]);
      assert.ok(spread.distinct > 50, `an atom grid with ${spread.distinct} colours`);
    }

    // The same name again is refused before any work starts.
    await form.getByRole('button', { name: 'Train bundle' }).click();
    await page.getByTestId('train-error').getByText('a bundle named field-office already exists').waitFor();

    // The new bundle is offered by the purify dialog of a case.
    await page.getByTestId('nav-cases').click();
    await page.getByTestId('case-number').fill('T-2026-1');
    await page.getByTestId('case-title').fill('Trained bundle check');
    await page.getByRole('button', { name: 'Create case' }).click();
    await page.getByTestId('empty-case').waitFor();
    await page.getByTestId('import-path').fill(join(labelled, 'animals'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('6 imported, 0 duplicates skipped, 0 errors').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=evidence-tile][data-item-id="1"]').click();
    await page.getByTestId('bulk-purify').click();
    const purifyDialog = page.getByTestId('purify-dialog');
    await purifyDialog.getByRole('combobox', { name: 'Reference bundle' }).click();
    await page.getByRole('option', { name: 'field-office (trained)' }).click();
    await purifyDialog.getByText(new RegExp(`${clusterIds.length} clusters? \\(${clusterIds.join(', ')}\\)`)).waitFor();
    await screenshot(page, '23-purify-dialog-trained-bundle');
    await purifyDialog.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(pageErrors, []);
  },
);

test('a cancelled training leaves no bundle and no partial folder', { timeout: 600_000 }, async () => {
  await page.getByTestId('nav-training').click();
  await page.getByTestId('train-folder').fill(join(fixture.root, 'labelled'));
  await page.getByTestId('train-name').fill('never-finished');
  await page.getByTestId('train-k-mode').locator('..').click();
  await page.getByRole('option', { name: 'fixed number (k)' }).click();
  await page.getByTestId('train-fixed-k').fill('1');
  await page.getByTestId('train-atoms').fill('8');
  // Many iterations, so the job is surely still learning its first dictionary when cancelled.
  await page.getByTestId('train-cdl-iterations').fill('1000');
  await page.getByTestId('training-form').getByRole('button', { name: 'Train bundle' }).click();
  const run = page.locator('[data-testid=training-run]').filter({ hasText: 'never-finished' });
  await run.locator('[data-testid=dictionary-chip]').filter({ hasText: '%' }).first().waitFor({ timeout: 240_000 });
  // With k fixed at 1 the elbow chart is one point, marked as the chosen k.
  assert.equal(await run.getByTestId('elbow-chosen').count(), 2);
  await screenshot(page, '24-training-in-progress');
  await run.getByTestId('training-cancel').click();
  await page.locator('[data-testid=training-run][data-job-state=cancelled]').waitFor({ timeout: 60_000 });
  await run.getByTestId('training-cancelled').waitFor();
  await screenshot(page, '25-training-cancelled');
  assert.deepEqual((await readdir(bundlesFolder())).sort(), ['field-office']);
  assert.deepEqual(pageErrors, []);
});
