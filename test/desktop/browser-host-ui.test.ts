/**
 * The workstation as an investigator uses it, in Debian's Chromium against `acsr serve`'s host
 * with a real case database in a temp folder: say who you are, create a case, import the real
 * photos, see them (blurred) in the grid, reveal one, give one a category with the keyboard, and
 * find the tag and its audit entry in the case database.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { photosDir } from '../support/shared-data.ts';
import { screenshot, startDesktopSession, startImport, type DesktopSession } from './support/desktop-fixture.ts';

let ui: DesktopSession;
let page: Page;

before(async () => {
  ui = await startDesktopSession({ viewport: { width: 1280, height: 800 } });
  page = ui.page;
});

after(async () => {
  await ui?.close();
});

async function sha256OfPhotos(): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const name of (await readdir(photosDir)).sort()) {
    hashes.set(
      name,
      createHash('sha256')
        .update(await readFile(join(photosDir, name)))
        .digest('hex'),
    );
  }
  return hashes;
}

test('an investigator creates a case, imports the photos, reveals one and tags one with the keyboard', { timeout: 90_000 }, async () => {
  const photoHashesBefore = await sha256OfPhotos();
  await page.goto(ui.host.url);
  // The token leaves the address bar once the page has it.
  await page.waitForFunction(() => !location.hash.includes('token'));

  const examiner = page.getByTestId('examiner-name');
  await examiner.fill('A. Jones');
  await page.getByRole('button', { name: 'Continue' }).waitFor({ state: 'visible' });
  await assertEnabled(page, 'Continue');
  await screenshot(page, '01-examiner-first-run');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('examiner-chip').getByText('Examiner: A. Jones').waitFor();

  await page.getByTestId('case-number').fill('2026-0042');
  await page.getByTestId('case-title').fill('Flagged uploads');
  await assertEnabled(page, 'Create case');
  await screenshot(page, '02-new-case');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByTestId('case-heading').getByText('Case 2026-0042 — Flagged uploads').waitFor();
  await page.getByTestId('empty-case').waitFor();

  await startImport(page, photosDir);
  await page.locator('[data-testid=job-row][data-job-state=completed]').waitFor({ timeout: 60_000 });
  await page.getByText(`${photoHashesBefore.size} imported, 0 duplicates skipped, 0 errors`).waitFor();
  await page.getByText(`${photoHashesBefore.size} items`).waitFor();

  // Thumbnails arrive over the socket and start concealed.
  const firstTile = page.locator('[data-testid=evidence-tile][data-item-id="1"]');
  await firstTile.locator('img').waitFor();
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('[data-testid=evidence-tile] img'))
      .slice(0, 10)
      .every((img) => (img as HTMLImageElement).naturalWidth > 0),
  );
  assert.equal(await firstTile.getAttribute('data-blurred'), 'true');
  assert.match(await firstTile.locator('img').evaluate((img) => getComputedStyle(img).filter), /blur\(14px\) grayscale\(1\)/);
  await screenshot(page, '03-evidence-grid-concealed');

  await firstTile.getByRole('button', { name: 'Reveal' }).click();
  assert.equal(await firstTile.getAttribute('data-blurred'), 'false');
  assert.equal(await firstTile.locator('img').evaluate((img) => getComputedStyle(img).filter), 'none');
  assert.equal(await page.locator('[data-testid=evidence-tile][data-item-id="2"]').getAttribute('data-blurred'), 'true');

  // Select the second item and press 3: CAT-3, as in the investigators' current tools.
  const secondTile = page.locator('[data-testid=evidence-tile][data-item-id="2"]');
  await secondTile.click();
  await page.keyboard.press('3');
  await page.locator('[data-testid=evidence-tile][data-item-id="2"][data-category="CAT-3"]').waitFor();
  await page.getByTestId('notice-success').getByText('CAT-3 (CGI or animation) given to one item').waitFor();
  await screenshot(page, '04-evidence-revealed-and-tagged');

  // The filter shows only what carries the category.
  await page.getByRole('combobox', { name: 'Show' }).click();
  await page.getByRole('option', { name: /^CAT-3/ }).click();
  await page.getByText('1 item shown').waitFor();
  assert.deepEqual(await page.locator('[data-testid=evidence-tile]').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-item-id'))), ['2']);
  await page.getByRole('combobox', { name: 'Show' }).click();
  await page.getByRole('option', { name: 'All items' }).click();
  await page.getByText(`${photoHashesBefore.size} items`).waitFor();

  // The item view: hashes and provenance, the category history, a user tag and a note.
  await secondTile.dblclick();
  const dialog = page.getByTestId('item-dialog');
  await dialog.getByTestId('item-facts').getByText(photoHashesBefore.get('darknet-dog.jpg')!).waitFor();
  await dialog.getByTestId('item-history-entry').getByText('A. Jones · category CAT-3').waitFor();
  assert.equal(await dialog.getByTestId('item-preview').getAttribute('data-blurred'), 'true');
  await dialog.getByTestId('item-tag-input').fill('animal');
  await dialog.getByRole('button', { name: 'Add tag' }).click();
  await dialog.getByTestId('item-tags').getByText('animal').waitFor();
  await dialog.getByTestId('item-note-input').fill('Dog and bicycle on a porch;\nno person visible.');
  await dialog.getByRole('button', { name: 'Add note' }).click();
  await dialog.getByTestId('item-notes').getByText('no person visible.', { exact: false }).waitFor();
  await dialog.getByTestId('item-tag-input').fill('CAT-1');
  await dialog.getByRole('button', { name: 'Add tag' }).click();
  await dialog.getByTestId('item-error').getByText('looks like a category').waitFor();
  await screenshot(page, '05-item-view');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });

  // The tag is in the real case database, by the examiner, with its audit-log entry.
  const opened = await CaseFolder.open(join(ui.workspace, '2026-0042'), { readonly: true });
  try {
    const items = opened.db.listItems();
    assert.equal(items.length, photoHashesBefore.size);
    assert.deepEqual(
      opened.db.listItems({ category: 'CAT-3' }).map((item) => item.id),
      [2],
    );
    assert.deepEqual(new Set(items.map((item) => item.sha256)), new Set(photoHashesBefore.values()));
    const itemEntries = [...opened.db.auditRows({ subject: 'item:2' })];
    assert.deepEqual(
      itemEntries.filter((row) => row.action === 'tag' || row.action === 'note').map((row) => [row.action, row.examiner]),
      [
        ['tag', 'A. Jones'],
        ['tag', 'A. Jones'],
        ['note', 'A. Jones'],
      ],
    );
    assert.deepEqual(
      opened.db.listItems({ tags: ['animal'] }).map((item) => item.id),
      [2],
    );
    assert.deepEqual(
      opened.db.notes({ itemId: 2 }).map((note) => note.text),
      ['Dog and bicycle on a porch;\nno person visible.'],
    );
  } finally {
    opened.close();
  }
  // The originals were only read.
  assert.deepEqual(await sha256OfPhotos(), photoHashesBefore);

  // Filter by user tag; then a larger thumbnail size (slider, by keyboard) makes wider tiles.
  await page.getByTestId('tag-filter').fill('animal');
  await page.getByText('1 item shown').waitFor();
  await page.getByTestId('tag-filter').fill('');
  await page.getByText(`${photoHashesBefore.size} items`).waitFor();
  const widthBefore = (await secondTile.boundingBox())!.width;
  await page.getByRole('slider', { name: 'Thumbnail size' }).focus();
  // Tiles share the grid's whole width (at least the chosen size), so four steps of 16 px always mean fewer, wider columns.
  for (let step = 0; step < 4; step++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(
    (before) => (document.querySelector('[data-testid=evidence-tile][data-item-id="2"]') as HTMLElement).getBoundingClientRect().width > before,
    widthBefore,
  );

  // Verify the case and export its JSON and HTML reports: jobs, recorded in the case.
  await page.getByRole('button', { name: 'Verify case' }).click();
  await page.getByTestId('job-summary').getByText(`verified: audit chain intact, ${photoHashesBefore.size} items`).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Export report' }).click();
  await page.getByRole('menuitem', { name: 'JSON (machine-readable)' }).click();
  await page.getByTestId('job-summary').getByText('JSON: ').waitFor({ timeout: 60_000 });
  await screenshot(page, '06-verified-and-reported');
  const reopened = await CaseFolder.open(join(ui.workspace, '2026-0042'), { readonly: true });
  try {
    const [report] = reopened.db.reports();
    assert.equal(report.format, 'json');
    assert.equal(report.examiner, 'A. Jones');
    const written = await readFile(report.path);
    assert.equal(createHash('sha256').update(written).digest('hex'), report.sha256);
    assert.ok([...reopened.db.auditRows()].some((row) => row.action === 'verify' && row.examiner === 'A. Jones'));
  } finally {
    reopened.close();
  }

  // Back to the list: the case shows with its item count.
  await page.getByRole('button', { name: '← Cases' }).click();
  await page.getByTestId('cases-table').getByText('Flagged uploads').waitFor();
  await page
    .getByTestId('cases-table')
    .getByRole('cell', { name: String(photoHashesBefore.size), exact: true })
    .waitFor();
  await screenshot(page, '07-cases-list');
  assert.deepEqual(ui.pageErrors, []);
});

test('a bad import path is shown as a clear message, and the window keeps working', { timeout: 30_000 }, async () => {
  await page.getByTestId('cases-table').getByRole('button', { name: 'Open' }).click();
  await startImport(page, 'relative/photos');
  await page.getByTestId('import-error').getByText('The folder to import: give its full path, starting with /.').waitFor();
  await startImport(page, '/nonexistent/acsr-test-folder');
  await page.locator('[data-testid=job-row]').first().waitFor();
  // A missing folder is the import's own user error; either way the investigator reads why.
  await page.waitForFunction(() => document.querySelector('[data-testid=job-row]')?.getAttribute('data-job-state') !== 'running');
  await screenshot(page, '08-import-errors');
  assert.deepEqual(ui.pageErrors, []);
});

test('a long import shows its progress bar and stops when cancelled', { timeout: 60_000 }, async () => {
  // Hard links: many files to work through (each is copied, hashed and decoded) at no disk cost,
  // enough that the import is still running when the test clicks Cancel even on a fast machine.
  const many = join(ui.root, 'many-photos');
  await mkdir(many);
  const names = (await readdir(photosDir)).sort();
  for (let copy = 0; copy < 16; copy++) {
    for (const name of names) await link(join(photosDir, name), join(many, `${copy}-${name}`));
  }
  await startImport(page, many);
  const row = page.locator('[data-testid=job-row][data-job-state=running]');
  await row.waitFor();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=job-row][data-job-state=running] [role=progressbar]')?.getAttribute('aria-valuenow')) > 0,
  );
  await screenshot(page, '09-import-progress');
  await row.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('[data-testid=job-row][data-job-state=cancelled]').waitFor({ timeout: 20_000 });

  const opened = await CaseFolder.open(join(ui.workspace, '2026-0042'), { readonly: true });
  try {
    const imports = opened.db.jobs({ kind: 'import' });
    const last = imports.at(-1)!;
    assert.equal(last.state, 'cancelled');
    assert.ok(last.progressDone < names.length * 16, `stopped early: ${last.progressDone} handled`);
    assert.equal(opened.db.itemCount(), names.length);
  } finally {
    opened.close();
  }

  // The case offers to resume the cancelled import; resuming finishes it, skipping what was done.
  const unfinished = page.getByTestId('unfinished-import');
  await unfinished.getByText('was cancelled after').waitFor();
  await screenshot(page, '10-unfinished-import');
  await unfinished.getByRole('button', { name: 'Resume' }).click();
  await page.locator('[data-testid=job-row][data-job-state=completed]').filter({ hasText: 'Resume import' }).waitFor({ timeout: 60_000 });
  await page.getByText(`0 imported, ${names.length * 16} duplicates skipped, 0 errors (resumed)`).waitFor();
  await unfinished.waitFor({ state: 'detached' });
  const reopened = await CaseFolder.open(join(ui.workspace, '2026-0042'), { readonly: true });
  try {
    assert.equal(reopened.db.jobs({ kind: 'import' }).at(-1)!.state, 'completed');
    assert.equal(reopened.db.itemCount(), names.length);
  } finally {
    reopened.close();
  }
  assert.deepEqual(ui.pageErrors, []);
});

test('a page opened without the launch token is refused and says what to do', { timeout: 30_000 }, async () => {
  const context = await ui.browser.newContext();
  try {
    const stranger = await context.newPage();
    await stranger.goto(ui.host.origin + '/');
    await stranger.getByTestId('load-error').getByText('open the exact address that "acsr serve" printed').waitFor();
    await screenshot(stranger, '11-refused-without-token');
  } finally {
    await context.close();
  }
});

async function assertEnabled(target: Page, name: string): Promise<void> {
  await target.waitForFunction((label) => {
    const button = Array.from(document.querySelectorAll('button')).find((candidate) => candidate.textContent?.trim().toLowerCase() === label.toLowerCase());
    return button !== undefined && !button.disabled;
  }, name);
}

test('when the workstation stops, the open page says so instead of going blank', { timeout: 30_000 }, async () => {
  await ui.host.close();
  await page.getByTestId('disconnected').getByText('The connection to the workstation (acsr serve) was lost').waitFor();
  await screenshot(page, '12-workstation-stopped');
});
