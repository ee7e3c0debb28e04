/**
 * "Run on workers" in the workstation, in Debian's Chromium against the browser host, with a
 * real Debian redis-server on a loopback port and one real `acsr worker` process: the
 * investigator sets the workspace's worker queue (a bad address is refused), sees how many
 * workers are connected in the purify dialog, purifies two items on the worker (progress from
 * the queue in the jobs panel, each run recorded by this workstation with the worker's name);
 * then a run on workers cut off by the workstation stopping is resumed after a restart and
 * re-attaches to the task it left on the queue, under its own case job.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host.ts';
import { writeSettings } from '../../main/workstation/workspace-settings.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';
import { killStartedProcesses, startAcsr, type AcsrProcess } from '../fleet/fleet-processes.ts';
import { startRedisServer, type RedisServer } from '../fleet/redis-server.ts';
import { launchChromium, openWatchedPage, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

let fixture: DesktopFixture;
let redis: RedisServer;
let browser: Browser;
let page: Page;
let restarted: BrowserHost | undefined;
let shared: string;
let caseDir: string;
const pageErrors: string[] = [];

before(async () => {
  redis = await startRedisServer({ appendOnly: true });
  fixture = await startDesktopFixture();
  shared = join(fixture.root, 'shared');
  await mkdir(shared);
  await writeSettings(fixture.workspace, { examiner: 'W. Okafor', blurByDefault: true });
  caseDir = join(fixture.workspace, 'W-1');
  const crops = [
    await writePhotoCrop('skimage-chelsea.png', join(fixture.root, 'a-cat.png'), { left: 140, top: 50, size: 64 }),
    await writePhotoCrop('skimage-rocket.jpg', join(fixture.root, 'b-rocket.png'), { left: 280, top: 120, size: 64 }),
    await writePhotoCrop('skimage-coffee.png', join(fixture.root, 'c-coffee.png'), { left: 180, top: 80, size: 64 }),
  ];
  const created = await CaseFolder.create(caseDir, { number: 'W-1', title: 'on workers', examiner: 'W. Okafor' });
  try {
    await created.importEvidence(crops, { examiner: 'W. Okafor' });
  } finally {
    created.close();
  }
  browser = await launchChromium();
  page = await openWatchedPage(browser, pageErrors);
});

after(async () => {
  await browser?.close();
  await restarted?.close();
  await fixture?.close();
  await killStartedProcesses();
  await redis?.stop();
});

async function startWorker(): Promise<AcsrProcess> {
  const worker = startAcsr(['worker', '--queue', redis.url, '--shared', shared, '--threads', '1', '--lock-ms', '5000']);
  await worker.waitFor(/worker ready/);
  return worker;
}

const tile = (itemId: number) => page.locator(`[data-testid=evidence-tile][data-item-id="${itemId}"]`);
const jobRow = (labelPart: string, state: string) => page.locator(`[data-testid=job-row][data-job-state=${state}]`).filter({ hasText: labelPart }).first();

async function runsOf(itemId: number) {
  const caseFolder = await CaseFolder.open(caseDir, { readonly: true });
  try {
    return caseFolder.db.purificationRuns(itemId);
  } finally {
    caseFolder.close();
  }
}

/** The content filter's verdicts recorded with a run: its model and stages. */
async function verdictsOfRun(itemId: number, runId: number) {
  const caseFolder = await CaseFolder.open(caseDir, { readonly: true });
  try {
    return caseFolder.db
      .verdicts(itemId)
      .filter((verdict) => verdict.purificationRunId === runId)
      .map((verdict) => `${verdict.modelId} ${verdict.stage}`);
  } finally {
    caseFolder.close();
  }
}

test(
  'an investigator sets a worker queue, purifies on a real worker, and a stopped run on workers is resumed on its queue after a restart',
  { timeout: 600_000 },
  async () => {
    const worker = await startWorker();
    await page.goto(fixture.host.url);

    // The worker queue of the workspace: an address that is not redis://HOST:PORT is refused.
    await page.getByTestId('workers-button').click();
    const settings = page.getByTestId('worker-queue-dialog');
    await settings.getByTestId('worker-queue-status').getByText('No worker queue').waitFor();
    await settings.getByTestId('queue-address').fill('http://127.0.0.1:6379');
    await settings.getByTestId('queue-shared-folder').fill(shared);
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings
      .getByTestId('worker-queue-error')
      .getByText(/redis:\/\/HOST:PORT/)
      .waitFor();
    await settings.getByTestId('queue-address').fill(redis.url);
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByTestId('worker-queue-status').getByText(`1 worker connected to ${redis.url}.`).waitFor();
    await settings.getByRole('button', { name: 'Close' }).click();

    // Purify two items on the worker.
    await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
    await tile(1).click();
    await tile(2).click({ modifiers: ['Shift'] });
    await page.getByTestId('bulk-purify').click();
    const dialog = page.getByTestId('purify-dialog');
    await dialog.getByTestId('workers-connected').getByText(`1 worker connected to ${redis.url}.`).waitFor();
    await dialog.getByRole('combobox', { name: 'Reference bundle' }).getByText('Default bundle (ships with ACSR)').waitFor();
    await dialog.getByRole('switch', { name: 'Run on workers' }).check();
    await dialog.getByText('the content filter’s verdicts are computed here').waitFor();
    // workers run no filter; the workstation scores each accepted output with the one chosen here
    await dialog
      .getByRole('combobox', { name: /Content filter/ })
      .getByText('NSFW filter (MobileNetV2, standard)')
      .waitFor();
    await screenshot(page, '43-run-on-workers');
    await dialog.getByRole('button', { name: 'Purify', exact: true }).click();
    // progress from the queue, in the jobs panel like any job
    await jobRow('Purify 2 items of case W-1 on workers', 'running')
      .getByText(/on workers · \d of 2 returned/)
      .waitFor({ timeout: 120_000 });
    await jobRow('Purify 2 items of case W-1 on workers', 'completed').waitFor({ timeout: 300_000 });
    await page.getByTestId('job-summary').getByText('2 items purified').waitFor();
    await page.locator('[data-testid=evidence-tile][data-item-id="2"][data-purified=true]').waitFor();
    for (const itemId of [1, 2]) {
      const runs = await runsOf(itemId);
      assert.equal(runs.length, 1);
      assert.equal((runs[0].parameters.fleet as { worker: string }).worker, `${hostname()} pid ${worker.child.pid}`);
      assert.deepEqual(await verdictsOfRun(itemId, runs[0].id), ['nsfwjs-mobilenet-v2 before', 'nsfwjs-mobilenet-v2 after']);
    }

    // No worker: the third item's task waits on the queue; the workstation stops (its job cancelled).
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
    await tile(3).click();
    await page.getByTestId('selection-count').getByText('1 selected').waitFor();
    await page.getByTestId('bulk-purify').click();
    await dialog.getByTestId('workers-connected').getByText(`No workers connected to ${redis.url}.`).waitFor();
    await dialog.getByRole('switch', { name: 'Run on workers' }).check();
    await dialog.getByRole('button', { name: 'Purify', exact: true }).click();
    await jobRow('Purify item #3 of case W-1 on workers', 'running')
      .getByText(/on workers · 0 of 1 returned/)
      .waitFor({ timeout: 120_000 });
    await fixture.host.close();

    // After the restart the case offers the stopped run; resuming it re-attaches to its queued task.
    restarted = await startBrowserHost({ workspace: fixture.workspace, rendererDir: join(fixture.root, 'renderer') });
    const second = await startWorker();
    await page.goto(restarted.url);
    await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
    const unfinished = page.getByTestId('unfinished-purification');
    await unfinished.getByText(/was cancelled after 0 of 1 items/).waitFor();
    const caseJobId = Number((await unfinished.textContent())!.match(/Purification (\d+)/)![1]);
    await unfinished.getByRole('button', { name: 'Resume' }).click();
    await jobRow(`Resume purification ${caseJobId} of case W-1 on workers`, 'completed').waitFor({ timeout: 300_000 });
    const runs = await runsOf(3);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].jobId, caseJobId, 'recorded under the stopped run, not a new one');
    assert.equal((runs[0].parameters.fleet as { worker: string }).worker, `${hostname()} pid ${second.child.pid}`);
    assert.deepEqual(await verdictsOfRun(3, runs[0].id), ['nsfwjs-mobilenet-v2 before', 'nsfwjs-mobilenet-v2 after'], 'the resumed run keeps its filter');
    assert.deepEqual(pageErrors, []);
  },
);
