/**
 * An evaluation in the workstation, in Debian's Chromium against `acsr serve`: four crops of real
 * photos in class folders named as nsfwjs's classes, one real attack (FGSM on the real nsfwjs
 * MobileNetV2) and two cheap defenses, so it takes seconds on two shared cores. The accuracy
 * table must show what results.json says, with its intervals, and the bar chart must arrive over
 * the evaluation.plot channel (asked for by evaluation id, never a path).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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

test('an investigator runs a small evaluation and reads its accuracy table and bar chart', { timeout: 600_000 }, async () => {
  const folder = join(fixture.root, 'eval-set');
  const crops: [string, string, number, number][] = [
    // nsfwjs says Neutral for the first three (the cat only at 0.64, so an attack may flip it) and Drawing for the rocket.
    ['neutral', 'skimage-chelsea.png', 120, 40],
    ['neutral', 'china.jpg', 200, 100],
    ['neutral', 'darknet-dog.jpg', 120, 180],
    ['drawing', 'skimage-rocket.jpg', 250, 60],
  ];
  for (const [index, [cls, photo, left, top]] of crops.entries()) {
    await mkdir(join(folder, cls), { recursive: true });
    await writePhotoCrop(photo, join(folder, cls, `${index}.png`), { left, top, size: 200 });
  }

  await page.goto(fixture.host.url);
  await page.getByTestId('examiner-name').fill('A. Jones');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('nav-evaluation').click();
  const form = page.getByTestId('evaluation-form');
  await form.waitFor();
  // The small default: two attacks, four defenses.
  assert.equal(await page.getByTestId('eval-attacks').inputValue(), 'fgsm:0.04,deepfool');
  await form.getByRole('checkbox', { name: 'acsr' }).waitFor();
  const checked = async () =>
    form.getByRole('checkbox').evaluateAll((boxes) => (boxes as HTMLInputElement[]).filter((box) => box.checked).map((box) => box.getAttribute('aria-label')));
  assert.deepEqual(await checked(), ['none', 'jpeg75', 'median3', 'acsr']);

  await page.getByTestId('eval-folder').fill(folder);
  await page.getByTestId('eval-attacks').fill('fgsm:0.04');
  for (const name of ['jpeg75', 'median3', 'acsr']) await form.getByRole('checkbox', { name }).uncheck();
  await form.getByRole('checkbox', { name: 'bits4' }).check();
  assert.deepEqual(await checked(), ['none', 'bits4']);
  await page.getByTestId('eval-limit').fill('4');
  await form.getByRole('button', { name: 'Run evaluation' }).click();

  const run = page.getByTestId('evaluation-run');
  await page.locator('[data-testid=evaluation-run][data-job-state=completed]').waitFor({ timeout: 300_000 });
  const table = run.locator('[data-testid=accuracy-table][data-complete=true]');
  await table.waitFor();
  await run.getByTestId('evaluation-plot-image').waitFor();
  await page.waitForFunction(() => {
    const image = document.querySelector('[data-testid=evaluation-plot-image]') as HTMLImageElement | null;
    return image !== null && image.complete && image.naturalWidth > 100;
  });
  await screenshot(page, '26-evaluation-results');

  // The table is results.json, cell by cell.
  const evaluationPath = (await run.getByTestId('evaluation-path').textContent())!;
  assert.match(evaluationPath, new RegExp(`^${join(fixture.workspace, 'evaluations')}/eval-\\d{8}-\\d{6}$`));
  const results = JSON.parse(await readFile(join(evaluationPath, 'results.json'), 'utf8')) as {
    complete: boolean;
    rows: string[];
    cells: { row: string; defense: string; accuracy: { successes: number; total: number; value: number; ci95: [number, number] } }[];
  };
  assert.equal(results.complete, true);
  assert.deepEqual(results.rows, ['clean', 'fgsm:0.04']);
  assert.deepEqual(await table.getByTestId('accuracy-column').allTextContents(), ['none', 'bits4']);
  assert.deepEqual(await table.getByTestId('accuracy-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row'))), ['clean', 'fgsm:0.04']);
  // Each attack row says how its budget is measured.
  assert.equal(
    await table.locator('[data-testid=accuracy-row][data-row="fgsm:0.04"] [data-testid=accuracy-row-budget]').textContent(),
    "per-pixel L2 ||x'-x||_2 / sqrt(H W C) <= 0.04 (stress setting)",
  );
  for (const cell of results.cells) {
    assert.equal(cell.accuracy.total, 4);
    const shown = table.locator(`[data-testid=accuracy-row][data-row="${cell.row}"] [data-testid=accuracy-cell][data-defense="${cell.defense}"]`);
    const text = (await shown.textContent())!;
    const percent = (value: number) => `${(100 * value).toFixed(1)} %`;
    assert.ok(text.startsWith(percent(cell.accuracy.value)), `${cell.row} × ${cell.defense}: ${text}`);
    assert.ok(text.includes(`[${percent(cell.accuracy.ci95[0])}, ${percent(cell.accuracy.ci95[1])}]`), text);
    assert.ok(text.includes(`${cell.accuracy.successes}/4`), text);
  }
  // The chart on screen is the PNG the evaluation wrote.
  const shownPng = await run.getByTestId('evaluation-plot-image').getAttribute('src');
  const written = await readFile(join(evaluationPath, 'accuracy-by-attack.png'));
  assert.equal(shownPng, `data:image/png;base64,${written.toString('base64')}`);
  await run.getByText('No accuracy-vs-budget plot').waitFor();
  assert.deepEqual(pageErrors, []);
});
