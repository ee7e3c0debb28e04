/**
 * A long job's live progress in the jobs panel, as training and purification will stream it:
 * stage, message, ETA, numeric metrics and a metric series drawn as a line, then cancel. The
 * host runs a stand-in worker (fixtures/metrics-job.ts) in place of the import, through the
 * real job runner, service worker, WebSocket and renderer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { photosDir } from '../support/shared-data.ts';
import { launchChromium, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

let fixture: DesktopFixture;
let browser: Browser;

before(async () => {
  fixture = await startDesktopFixture({ jobModules: { import: new URL('./fixtures/metrics-job.ts', import.meta.url).href } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await fixture?.close();
});

test('the jobs panel shows stage, ETA and live metrics, and cancel stops the job', { timeout: 60_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(fixture.host.url);
  await page.getByTestId('examiner-name').fill('D. Metrics');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('case-number').fill('M-1');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('import-path').fill(photosDir);
  await page.getByRole('button', { name: 'Import', exact: true }).click();

  const row = page.locator('[data-testid=job-row][data-job-state=running]');
  await row.getByTestId('metric-sparkline').waitFor();
  await row.getByText(/learn dictionary · iteration \d+ · \d+ (s|min) left/).waitFor();
  const points = async () => (await row.locator('polyline').getAttribute('points'))?.split(' ').length ?? 0;
  const earlier = await points();
  await page.waitForFunction(
    (count) => (document.querySelector('[data-testid=job-row] polyline')?.getAttribute('points')?.split(' ').length ?? 0) > count + 3,
    earlier,
  );
  assert.match((await row.getByTestId('job-metrics').textContent()) ?? '', /iteration: \d+/);
  await screenshot(page, '13-job-live-metrics');

  await row.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('[data-testid=job-row][data-job-state=cancelled]').waitFor({ timeout: 20_000 });
});
