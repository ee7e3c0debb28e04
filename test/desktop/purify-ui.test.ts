/**
 * Purification in the workstation as an investigator does it, in Debian's Chromium against
 * `acsr serve` with a real case database, the default bundle that ships in models/, the real
 * nsfwjs MobileNetV2 latents and content filter, and real CBPDN: import crops of real photos
 * (small, so each purification takes seconds on two shared cores), purify one from the grid,
 * open its image view (six panels of real image data under one zoom, every cluster's distance,
 * verdicts, hashes), re-purify it with another cluster and a reason, filter and tag; then purify
 * two at once, cancel that job part-way, restart the workstation and resume it.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { verifyCase } from '../../main/case/verify-case.ts';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host.ts';
import { repoRoot } from '../support/shared-data.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';
import { waitForPurificationRun } from './support/wait-for-purification.ts';
import { launchChromium, openWatchedPage, screenshot, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

let fixture: DesktopFixture;
let browser: Browser;
let page: Page;
let restarted: BrowserHost | undefined;
const pageErrors: string[] = [];
const CASE_FOLDER = () => join(fixture.workspace, 'P-2026-7');

before(async () => {
  fixture = await startDesktopFixture();
  browser = await launchChromium();
  page = await openWatchedPage(browser, pageErrors);
});

after(async () => {
  await browser?.close();
  await restarted?.close();
  await fixture?.close();
});

async function defaultBundleClusterIds(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(repoRoot, 'models', 'default-bundle', 'manifest.json'), 'utf8')) as {
    classes: { clusters: { id: string }[] }[];
  };
  return manifest.classes.flatMap((entry) => entry.clusters.map((cluster) => cluster.id));
}

const tile = (itemId: number) => page.locator(`[data-testid=evidence-tile][data-item-id="${itemId}"]`);

async function waitForJob(labelPart: string, state: string, timeout = 240_000): Promise<void> {
  await page.locator(`[data-testid=job-row][data-job-state=${state}]`).filter({ hasText: labelPart }).first().waitFor({ timeout });
}

test('an investigator purifies an item, inspects it in the image view and re-purifies it with another cluster', { timeout: 600_000 }, async () => {
  // Crops of real photos: a cat, a rocket, a kite; the last is larger, so it takes longer.
  const crops = join(fixture.root, 'crops');
  await mkdir(crops);
  await writePhotoCrop('skimage-chelsea.png', join(crops, 'a-cat.png'), { left: 140, top: 50, size: 96 });
  await writePhotoCrop('skimage-rocket.jpg', join(crops, 'b-rocket.png'), { left: 280, top: 120, size: 96 });
  // the largest by far: it is still being coded when the smaller item beside it is done and the test cancels
  await writePhotoCrop('darknet-kite.jpg', join(crops, 'c-kite.png'), { left: 300, top: 100, size: 640 });

  await page.goto(fixture.host.url);
  await page.getByTestId('examiner-name').fill('A. Jones');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('case-number').fill('P-2026-7');
  await page.getByTestId('case-title').fill('Purification review');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('empty-case').waitFor();
  await page.getByTestId('import-path').fill(crops);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText('3 imported, 0 duplicates skipped, 0 errors').waitFor({ timeout: 60_000 });
  await page.getByText('3 items').waitFor();

  // Select the cat and purify it (bulk action on a one-item selection) with the defaults.
  await tile(1).click();
  await page.getByTestId('bulk-purify').click();
  const purifyDialog = page.getByTestId('purify-dialog');
  await purifyDialog.getByRole('combobox', { name: 'Reference bundle' }).getByText('Default bundle (ships with ACSR)').waitFor();
  await purifyDialog
    .getByRole('combobox', { name: /Content filter/ })
    .getByText('NSFW filter (MobileNetV2, standard)')
    .waitFor();
  await purifyDialog.getByText(/6 clusters \(neutral:0, neutral:1, porn:0, porn:1, sexy:0, sexy:1\)/).waitFor();
  await screenshot(page, '14-purify-dialog');
  await purifyDialog.getByRole('button', { name: 'Purify', exact: true }).click();
  await page.locator('[data-testid=job-row][data-job-state=running]').filter({ hasText: 'Purify item #1' }).waitFor();
  await waitForJob('Purify item #1', 'completed');
  await page.getByTestId('job-summary').getByText('1 item purified').waitFor();
  await page.locator('[data-testid=evidence-tile][data-item-id="1"][data-purified=true]').waitFor();

  // The image view: six panels of real image data, concealed by default like the grid.
  await tile(1).dblclick();
  const dialog = page.getByTestId('item-dialog');
  const view = dialog.getByTestId('purification-view');
  await view.waitFor();
  const panels = view.getByTestId('view-panel');
  assert.deepEqual(await panels.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-part'))), [
    'original',
    'low',
    'high',
    'reconstructedHigh',
    'purified',
    'difference',
  ]);
  await page.waitForFunction(
    () => {
      const images = Array.from(document.querySelectorAll('[data-testid=view-image]')) as HTMLImageElement[];
      return images.length === 6 && images.every((image) => image.complete && image.naturalWidth > 0);
    },
    undefined,
    { timeout: 30_000 },
  );
  const stats = await view.getByTestId('view-image').evaluateAll((images) =>
    (images as HTMLImageElement[]).map((image) => {
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < data.length; i += 4) {
        sum += data[i];
        squares += data[i] * data[i];
      }
      const count = data.length / 4;
      const mean = sum / count;
      return { width: image.naturalWidth, height: image.naturalHeight, mean, std: Math.sqrt(squares / count - mean * mean), blurred: image.dataset.blurred };
    }),
  );
  for (const [index, stat] of stats.entries()) {
    assert.deepEqual([stat.width, stat.height], [96, 96], `panel ${index} has the crop's size`);
    assert.ok(stat.std > 1, `panel ${index} holds an image, not a flat fill (std ${stat.std.toFixed(2)})`);
    assert.equal(stat.blurred, 'true');
  }
  // The signed parts are centred on mid-grey and their display gain is stated.
  for (const index of [2, 3, 5]) assert.ok(Math.abs(stats[index].mean - 128) < 40, `panel ${index} mean ${stats[index].mean}`);
  assert.deepEqual(await view.getByTestId('view-scaling').allTextContents(), [
    'as stored',
    'as computed',
    'brightened ×4 around mid-grey',
    'brightened ×4 around mid-grey',
    'as stored',
    'brightened ×8 around mid-grey',
  ]);
  // The method's notation stays one hover away.
  assert.deepEqual(await view.getByTestId('view-scaling').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-notation'))), [
    'as stored',
    'as computed',
    'x_high ×4 + 0.5',
    'D·y ×4 + 0.5',
    'as stored',
    '(x_pur − x) ×8 + 0.5',
  ]);

  // Every cluster of the bundle has a bar; the nearest is the one used.
  const clusterIds = await defaultBundleClusterIds();
  const bars = view.getByTestId('cluster-bar');
  assert.deepEqual(await bars.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-cluster-id'))), clusterIds);
  const distances = await bars.evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-distance'))));
  const nearest = clusterIds[distances.indexOf(Math.min(...distances))];
  assert.equal(await view.locator('[data-testid=cluster-bar][data-used=true]').getAttribute('data-cluster-id'), nearest);
  await view.getByTestId('cluster-used').getByText(`Used the nearest cluster, ${nearest}`).waitFor();
  // Verdicts before and after, hashes and PDQ distance.
  await view
    .getByTestId('verdict-bars')
    .getByText(/NSFW filter \(MobileNetV2, standard\): \w+ before → \w+ after/)
    .waitFor();
  assert.equal(await view.getByTestId('verdict-class').count(), 5);
  await view
    .getByTestId('run-facts')
    .getByText(/^\d+ of 256 bits$/)
    .waitFor();
  await screenshot(page, '15-image-view-concealed');

  // Reveal, then zoom: every panel follows the same transform.
  await view.getByTestId('view-reveal').click();
  await view.getByRole('button', { name: '+' }).click();
  await view.getByRole('button', { name: '+' }).click();
  await view.getByTestId('zoom-level').getByText('×4.0').waitFor();
  const panelBox = (await panels.nth(4).locator('[data-testid=view-image]').boundingBox())!;
  await page.mouse.move(panelBox.x + panelBox.width / 2, panelBox.y + panelBox.height / 2);
  await page.mouse.down();
  await page.mouse.move(panelBox.x + panelBox.width / 2 - 60, panelBox.y + panelBox.height / 2 - 40, { steps: 4 });
  await page.mouse.up();
  const transforms = await view.getByTestId('view-image').evaluateAll((images) => images.map((image) => (image as HTMLElement).style.transform));
  assert.equal(new Set(transforms).size, 1, `one shared transform: ${transforms.join(' | ')}`);
  assert.match(transforms[0], /scale\(4\)/);
  await screenshot(page, '16-image-view-revealed-zoomed');
  await view.getByTestId('zoom-level').click();

  // Re-purify with another cluster: the reason is required, and the new run records both.
  const other = clusterIds.find((id) => id !== nearest)!;
  await view.getByRole('combobox', { name: 'Re-purify with' }).click();
  await page.getByRole('option', { name: other, exact: true }).click();
  const repurify = view.getByRole('button', { name: 'Re-purify' });
  assert.equal(await repurify.isDisabled(), true, 'no reason, no override');
  await view.getByTestId('override-reason').fill('   ');
  assert.equal(await repurify.isDisabled(), true, 'a blank reason is no reason');
  await view.getByTestId('override-reason').fill('cartoon-like crop; the photo cluster fits better');
  await repurify.click();
  await waitForJob(`with cluster ${other}`, 'completed');
  await view
    .getByTestId('cluster-used')
    .getByText(`Used ${other} instead of the nearest ${nearest}: “cartoon-like crop; the photo cluster fits better” (A. Jones)`)
    .waitFor({ timeout: 30_000 });
  assert.equal(await view.locator('[data-testid=cluster-bar][data-used=true]').getAttribute('data-cluster-id'), other);
  await page.waitForFunction(() => {
    const images = Array.from(document.querySelectorAll('[data-testid=view-image]')) as HTMLImageElement[];
    return images.length === 6 && images.every((image) => image.complete && image.naturalWidth > 0);
  });
  await screenshot(page, '17-image-view-override');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });

  const opened = await CaseFolder.open(CASE_FOLDER(), { readonly: true });
  try {
    const runs = opened.db.purificationRuns(1);
    assert.equal(runs.length, 2);
    const ids = runs[1].parameters.clusterIds as string[];
    assert.equal(ids[runs[1].chosenCluster], nearest);
    assert.deepEqual(runs[1].override, { cluster: ids.indexOf(other), examiner: 'A. Jones', reason: 'cartoon-like crop; the photo cluster fits better' });
    const override = [...opened.db.auditRows({ subject: 'item:1' })].filter((row) => row.action === 'override');
    assert.equal(override.length, 1);
    assert.equal(override[0].examiner, 'A. Jones');
    assert.deepEqual(
      opened.db.verdicts(1).map((verdict) => verdict.stage),
      // the content filter's scores given at import, then a before/after pair per run
      ['before', 'before', 'after', 'before', 'after'],
    );
    const verification = await verifyCase(opened.db, opened.store, { examiner: 'test', record: false });
    assert.equal(verification.ok, true, verification.firstBrokenLink ?? '');
    assert.deepEqual(verification.unrecordedStoreFiles, [], 'every stored part is named by its run');
    assert.equal(verification.outputsChecked, 2);
  } finally {
    opened.close();
  }

  // Filters: purified state and the content filter's verdict; keyboard tagging still works.
  await page.getByRole('combobox', { name: 'Purified' }).click();
  await page.getByRole('option', { name: 'Purified', exact: true }).click();
  await page.getByText('1 item shown').waitFor();
  await page.getByRole('combobox', { name: 'Purified' }).click();
  await page.getByRole('option', { name: 'Not purified yet' }).click();
  await page.getByText('2 items shown').waitFor();
  await page.getByRole('combobox', { name: 'Purified' }).click();
  await page.getByRole('option', { name: 'Any', exact: true }).click();
  await page.getByText('3 items').waitFor();
  const verdictAfter = await tile(1).getByTestId('purified-chip').textContent();
  const topAfter = verdictAfter!.replace('purified · ', '');
  await page.getByRole('combobox', { name: 'Verdict' }).click();
  await page.getByRole('option', { name: `After purification: ${topAfter}` }).click();
  await page.getByText('1 item shown').waitFor();
  await page.getByRole('combobox', { name: 'Verdict' }).click();
  await page.getByRole('option', { name: 'Any verdict' }).click();
  await page.getByText('3 items').waitFor();
  await tile(1).click();
  await page.keyboard.press('4');
  await page.locator('[data-testid=evidence-tile][data-item-id="1"][data-category="CAT-4"]').waitFor();
  await screenshot(page, '18-grid-purified-and-tagged');
  assert.deepEqual(pageErrors, []);
});

test('bulk tag and bulk purify of two items: cancelled part-way, resumed after the workstation restarts', { timeout: 600_000 }, async () => {
  await tile(2).click();
  await tile(3).click({ modifiers: ['Control'] });
  await page.getByTestId('selection-count').getByText('2 selected:').waitFor();
  // Bulk tag first, then bulk purify, the same selection.
  await page.getByTestId('bulk-tag').click();
  await page.getByTestId('bulk-tag-input').fill('second look');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.getByTestId('confirm-bulk').getByRole('button', { name: 'Tag 2 items' }).click();
  await page.getByTestId('notice-success').getByText('Tag “second look” given to 2 items').waitFor();
  await page.getByTestId('bulk-purify').click();
  await page.getByTestId('purify-dialog').getByRole('button', { name: 'Purify', exact: true }).click();
  const running = page.locator('[data-testid=job-row][data-job-state=running]').filter({ hasText: 'Purify 2 items' });
  const cancel = running.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor();
  await screenshot(page, '19-bulk-purify-progress');
  // Cancel once the first item is done and the second (the larger crop) is still being coded. Nothing slow
  // may sit between seeing the first run and the click: the second item takes only seconds.
  await waitForPurificationRun(CASE_FOLDER(), 2, 240_000, 20);
  await cancel.click();
  await waitForJob('Purify 2 items', 'cancelled', 60_000);
  const unfinished = page.getByTestId('unfinished-purification');
  await unfinished.getByText('was cancelled after 1 of 2 items').waitFor({ timeout: 30_000 });

  let caseJobId: number;
  const opened = await CaseFolder.open(CASE_FOLDER(), { readonly: true });
  try {
    const job = opened.db.jobs({ kind: 'purify' }).at(-1)!;
    caseJobId = job.id;
    assert.equal(job.state, 'cancelled');
    assert.deepEqual([opened.db.purificationRuns(2).length, opened.db.purificationRuns(3).length], [1, 0]);
    assert.deepEqual(
      opened.db.listItems({ tags: ['second look'] }).map((item) => item.id),
      [2, 3],
    );
  } finally {
    opened.close();
  }

  // Restart the workstation on the same workspace: the unfinished job is still offered.
  await fixture.host.close();
  restarted = await startBrowserHost({ workspace: fixture.workspace, rendererDir: join(fixture.root, 'renderer') });
  await page.goto(restarted.url);
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  await unfinished.getByText('was cancelled after 1 of 2 items').waitFor();
  await screenshot(page, '20-purify-resume-after-restart');
  await unfinished.getByRole('button', { name: 'Resume' }).click();
  await waitForJob(`Resume purification ${caseJobId}`, 'completed');
  await page.getByTestId('job-summary').getByText('1 item purified (resumed: 1 done before)').waitFor();
  await unfinished.waitFor({ state: 'detached' });
  await page.locator('[data-testid=evidence-tile][data-purified=true]').nth(2).waitFor();

  const reopened = await CaseFolder.open(CASE_FOLDER(), { readonly: true });
  try {
    assert.equal(reopened.db.getJob(caseJobId).state, 'completed');
    // Item 2 was not purified again; item 3 was done by the resumed job.
    assert.deepEqual(
      [2, 3].map((itemId) => reopened.db.purificationRuns(itemId).map((run) => run.jobId)),
      [[caseJobId], [caseJobId]],
    );
  } finally {
    reopened.close();
  }
  assert.deepEqual(pageErrors, []);
});
