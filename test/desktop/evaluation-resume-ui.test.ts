/**
 * An investigator cancels an evaluation, resumes it from the list of past evaluations and reads
 * the finished table there, in Debian's Chromium against `acsr serve`: real Fashion-MNIST test
 * images, the shipped CNN, a real PGD attack and two cheap defenses. After the cancel nothing on
 * screen says units are still running; the resumed job continues in the same folder; the list
 * shows the evaluation complete with its table and bar chart.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { fashionMnistDir } from '../support/shared-data.ts';
import { screenshot, signIn, startDesktopSession, type DesktopSession } from './support/desktop-fixture.ts';

let ui: DesktopSession;
let page: Page;

before(async () => {
  ui = await startDesktopSession({ viewport: { width: 1440, height: 1300 } });
  page = ui.page;
});

after(async () => {
  await ui?.close();
});

test('an investigator cancels an evaluation, resumes it from the list of past evaluations and opens its results there', { timeout: 900_000 }, async () => {
  await signIn(page, ui.host.url, 'A. Jones');
  await page.getByTestId('nav-evaluation').click();
  const form = page.getByTestId('evaluation-form');
  await form.getByRole('checkbox', { name: 'acsr' }).waitFor();
  await page.getByTestId('past-evaluations').getByText('None yet').waitFor();

  await page.getByTestId('eval-folder').fill(fashionMnistDir);
  await form.getByRole('combobox', { name: 'Classifier (attacked and protected)' }).click();
  await page.getByRole('option', { name: 'Fashion-MNIST clothing classifier' }).click();
  await page.getByTestId('eval-attacks').fill('pgd:0.04:steps=40');
  for (const name of ['jpeg75', 'median3', 'acsr']) await form.getByRole('checkbox', { name }).uncheck();
  await form.getByRole('checkbox', { name: 'bits4' }).check();
  // Two batches of eight: four units (clean and PGD per batch).
  await page.getByTestId('eval-limit').fill('16');
  await form.getByRole('button', { name: 'Run evaluation' }).click();

  const run = page.getByTestId('evaluation-run');
  await page.locator('[data-testid=evaluation-run][data-job-state=running]').waitFor();
  // The time left is a measure or says it is being measured, never a bare extrapolation.
  assert.match((await run.getByTestId('evaluation-time-left').textContent())!, /^(estimating time left…|about \d+ (s|min) left|finishing)$/);
  await run.locator('[data-testid=accuracy-table][data-complete=false]').waitFor({ timeout: 300_000 });
  await run.getByTestId('evaluation-cancel').click();
  await page.locator('[data-testid=evaluation-run][data-job-state=cancelled]').waitFor({ timeout: 120_000 });
  await run.getByTestId('evaluation-stopped').waitFor();
  assert.doesNotMatch((await page.getByTestId('evaluation-screen').textContent())!, /still running/);
  assert.match((await run.getByTestId('accuracy-caption').textContent())!, /stopped before every unit was done/);

  const entry = page.locator('[data-testid=past-evaluation]');
  await page.locator('[data-testid=past-evaluation][data-status=stopped]').waitFor();
  assert.equal(await entry.count(), 1);
  const evaluationId = (await entry.getAttribute('data-evaluation-id'))!;
  const summary = (await entry.textContent())!;
  assert.match(summary, /16 images of the Fashion-MNIST/);
  assert.match(
    summary,
    /Classifier: Fashion-MNIST clothing classifier · Bundle: Default bundle \(ships with ACSR\) · Attacks: pgd:0\.04:steps=40 · Defenses: none, bits4/,
  );
  const journalBefore = await journalUnits(join(ui.workspace, 'evaluations', evaluationId));
  assert.ok(journalBefore.length >= 1 && journalBefore.length < 4, `${journalBefore.length} units before the cancel`);

  // Resume from the list: the run shown is the resumed job, in the same folder.
  await entry.getByTestId('past-evaluation-resume').click();
  await page.locator('[data-testid=evaluation-run][data-job-state=completed]').waitFor({ timeout: 600_000 });
  assert.equal(await run.locator('h6, .MuiTypography-subtitle1').first().textContent(), `Resume evaluation ${evaluationId}`);
  await run.locator('[data-testid=accuracy-table][data-complete=true]').waitFor();
  const folder = (await run.getByTestId('evaluation-path').textContent())!;
  assert.equal(folder, join(ui.workspace, 'evaluations', evaluationId));
  const journalAfter = await journalUnits(folder);
  assert.deepEqual(journalAfter.slice(0, journalBefore.length), journalBefore, 'finished units are kept, not computed again');
  assert.equal(new Set(journalAfter).size, 4);

  // The list: one evaluation, complete, opened on its table and bar chart.
  await page.locator('[data-testid=past-evaluation][data-status=complete]').waitFor();
  assert.equal(await entry.count(), 1);
  await entry.getByTestId('past-evaluation-open').click();
  const details = entry.getByTestId('past-evaluation-details');
  const table = details.locator('[data-testid=accuracy-table][data-complete=true]');
  await table.waitFor();
  const results = JSON.parse(await readFile(join(folder, 'results.json'), 'utf8')) as {
    cells: { row: string; defense: string; accuracy: { successes: number; total: number; value: number } }[];
  };
  for (const cell of results.cells) {
    assert.equal(cell.accuracy.total, 16);
    const shown = table.locator(`[data-testid=accuracy-row][data-row="${cell.row}"] [data-testid=accuracy-cell][data-defense="${cell.defense}"]`);
    assert.ok((await shown.textContent())!.startsWith(`${(100 * cell.accuracy.value).toFixed(1)} %`));
  }
  await details.getByTestId('evaluation-plot-image').waitFor();
  await page.waitForFunction(() => {
    const image = document.querySelector('[data-testid=past-evaluation-details] [data-testid=evaluation-plot-image]') as HTMLImageElement | null;
    return image !== null && image.complete && image.naturalWidth > 100;
  });
  assert.equal(await details.getByTestId('past-evaluation-path').textContent(), folder);
  await page.getByTestId('past-evaluations').evaluate((list) => list.scrollIntoView({ block: 'start' }));
  await screenshot(page, '42-evaluation-resumed');
  assert.deepEqual(ui.pageErrors, []);
});

async function journalUnits(folder: string): Promise<string[]> {
  return (await readFile(join(folder, 'journal.jsonl'), 'utf8'))
    .split('\n')
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { unit: string }).unit);
}
