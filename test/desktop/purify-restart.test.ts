/**
 * A purification or an import cut off by the workstation dying (`acsr serve` killed with
 * SIGKILL mid-job, as a crash or power cut would) is not lost: on the next start the case marks
 * the job interrupted, the case screen offers to resume it, and resuming does only what was not
 * yet done (a purification with the job's own bundle and content filter).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host.ts';
import { buildRenderer } from '../../build/desktop/build-renderer.ts';
import { writeSettings } from '../../main/workstation/workspace-settings.ts';
import { spawnAcsr } from '../case/case-fixtures.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';
import { photosDir } from '../support/shared-data.ts';
import { purificationRunCount, waitForPurificationRun } from './support/wait-for-purification.ts';
import { launchChromium, screenshot } from './support/desktop-fixture.ts';

let root: string;
let workspace: string;
let browser: Browser;
let served: ChildProcess | undefined;
let host: BrowserHost | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'acsr-restart-'));
  workspace = join(root, 'workspace');
  await mkdir(workspace);
  await writeSettings(workspace, { examiner: 'B. Singh', blurByDefault: true });
  const crops = [
    await writePhotoCrop('skimage-chelsea.png', join(root, 'a-cat.png'), { left: 140, top: 50, size: 64 }),
    // Ten times the astronaut crop this used to be: with the faster sparse coding a 160-pixel crop
    // could finish between the poll that sees the cat's run and the kill, leaving nothing to resume.
    await writePhotoCrop('darknet-kite.jpg', join(root, 'b-kite.png'), { left: 300, top: 50, size: 800 }),
  ];
  const created = await CaseFolder.create(join(workspace, 'R-1'), { number: 'R-1', title: 'restart', examiner: 'B. Singh' });
  try {
    await created.importEvidence(crops, { examiner: 'B. Singh' });
  } finally {
    created.close();
  }
  browser = await launchChromium();
});

after(async () => {
  served?.kill('SIGKILL');
  await browser?.close();
  await host?.close();
  await rm(root, { recursive: true, force: true });
});

function servedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`acsr serve printed no address in 120 s:\n${output}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /workstation at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`acsr serve exited (${code}):\n${output}`)));
  });
}

test('a purification cut off by killing the workstation is resumed after a restart, with only the items not yet done', { timeout: 600_000 }, async () => {
  served = spawnAcsr(['serve', '--workspace', workspace]);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(await servedUrl(served));
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  await page.locator('[data-testid=evidence-tile][data-item-id="1"]').click();
  await page.locator('[data-testid=evidence-tile][data-item-id="2"]').click({ modifiers: ['Shift'] });
  await page.getByTestId('bulk-purify').click();
  await page.getByTestId('purify-dialog').getByRole('button', { name: 'Purify', exact: true }).click();
  // The cat is done and the much larger kite crop is still being coded: the workstation dies.
  await waitForPurificationRun(join(workspace, 'R-1'), 1);
  served.kill('SIGKILL');
  assert.equal(purificationRunCount(join(workspace, 'R-1'), 2), 0, 'the kite was still being coded when the workstation died');
  await page.getByTestId('disconnected').waitFor();

  host = await startBrowserHost({ workspace, rendererDir: (await buildRenderer({ outDir: join(root, 'renderer') })).outDir });
  await page.goto(host.url);
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  const unfinished = page.getByTestId('unfinished-purification');
  await unfinished.getByText('was interrupted after 1 of 2 items').waitFor();
  await screenshot(page, '21-purify-interrupted-by-restart');
  await unfinished.getByRole('button', { name: 'Resume' }).click();
  await page.locator('[data-testid=job-row][data-job-state=completed]').filter({ hasText: 'Resume purification' }).waitFor({ timeout: 240_000 });
  await page.getByTestId('job-summary').getByText('1 item purified (resumed: 1 done before)').waitFor();
  await unfinished.waitFor({ state: 'detached' });

  const opened = await CaseFolder.open(join(workspace, 'R-1'), { readonly: true });
  try {
    const [job] = opened.db.jobs({ kind: 'purify' });
    assert.equal(job.state, 'completed');
    assert.deepEqual(
      [1, 2].map((itemId) => opened.db.purificationRuns(itemId).map((run) => run.jobId)),
      [[job.id], [job.id]],
      'one run each, the cat not purified twice',
    );
    const actions = [...opened.db.auditRows({ subject: `job:${job.id}` })].map((row) => row.action);
    assert.deepEqual(actions, ['purify-start', 'job-interrupted', 'purify-resume', 'purify-finish']);
    assert.deepEqual(
      opened.db.verdicts(2).map((verdict) => verdict.modelId),
      ['nsfwjs-mobilenet-v2', 'nsfwjs-mobilenet-v2'],
      "the resumed job keeps the job's content filter",
    );
  } finally {
    opened.close();
  }
});

test('an import cut off by killing the workstation is resumed after a restart, skipping the files already handled', { timeout: 300_000 }, async () => {
  await host?.close();
  host = undefined;
  served?.kill('SIGKILL'); // a workstation the first test left running (if it failed early) must not hold the workspace
  // Hard links: many files at no disk cost, so the import is still running when it is killed.
  const many = join(root, 'many-photos');
  await mkdir(many);
  const names = (await readdir(photosDir)).sort();
  for (let copy = 0; copy < 16; copy++) for (const name of names) await link(join(photosDir, name), join(many, `${copy}-${name}`));

  served = spawnAcsr(['serve', '--workspace', workspace]);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(await servedUrl(served));
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  await page.getByTestId('import-path').fill(many);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=job-row][data-job-state=running] [role=progressbar]')?.getAttribute('aria-valuenow')) > 5,
  );
  served.kill('SIGKILL');
  await page.getByTestId('disconnected').waitFor();

  host = await startBrowserHost({ workspace, rendererDir: join(root, 'renderer') });
  await page.goto(host.url);
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  const unfinished = page.getByTestId('unfinished-import');
  await unfinished.getByText('was interrupted after').waitFor();
  await unfinished.getByRole('button', { name: 'Resume' }).click();
  await page.locator('[data-testid=job-row][data-job-state=completed]').filter({ hasText: 'Resume import' }).waitFor({ timeout: 120_000 });
  await page.getByText(/imported, \d+ duplicates skipped, 0 errors \(resumed\)/).waitFor();
  await unfinished.waitFor({ state: 'detached' });

  const opened = await CaseFolder.open(join(workspace, 'R-1'), { readonly: true });
  try {
    const [job] = opened.db.jobs({ kind: 'import' }).slice(-1);
    assert.equal(job.state, 'completed');
    assert.equal(opened.db.itemCount(), 2 + names.length, 'each distinct photo once, whatever the kill interrupted');
    assert.deepEqual(
      [...opened.db.auditRows({ subject: `job:${job.id}` })]
        .map((row) => row.action)
        .filter((action) => action !== 'import-finish')
        .slice(0, 3),
      ['import-start', 'job-interrupted', 'import-resume'],
    );
  } finally {
    opened.close();
  }
});
