/**
 * The evidence grid with 10,000 items, in Debian's Chromium against the browser host: how long
 * the list takes to arrive and draw, and frame intervals while scrolling from top to bottom at
 * half a screen per frame (thumbnails loading as they come into view). The case is seeded
 * directly through the case database with 10,000 distinct tiny PNGs (importing them through
 * the real import would measure the import instead).
 *
 *   npx node --import tsx test/bench/desktop-grid-bench.ts [--items=10000]
 *
 * Last line: the figures as JSON.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { startBrowserHost } from '../../main/host/browser-host.ts';
import { buildRenderer } from '../../build/desktop/build-renderer.ts';
import { writeSettings } from '../../main/workstation/workspace-settings.ts';

const itemCount = Number(process.argv.find((arg) => arg.startsWith('--items='))?.slice(8) ?? 10_000);
const examiner = 'Bench Examiner';

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

const root = await mkdtemp(join(tmpdir(), 'acsr-grid-bench-'));
try {
  const workspace = join(root, 'workspace');
  const seedStarted = performance.now();
  const caseFolder = await CaseFolder.create(join(workspace, 'BENCH-1'), { number: 'BENCH-1', title: `${itemCount} items`, examiner });
  const job = caseFolder.db.startJob({ kind: 'import', parameters: { seeded: true }, examiner, total: itemCount });
  for (let index = 0; index < itemCount; index++) {
    const pixels = Buffer.alloc(16 * 16 * 3);
    for (let p = 0; p < pixels.length; p += 3) pixels.set([index & 255, (index >> 8) & 255, (p * 7 + index) & 255], p);
    const png = await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toBuffer();
    const { relativePath, sha256 } = await caseFolder.store.storeBytes(png);
    caseFolder.db.recordImportedItem({
      jobId: job.id,
      examiner,
      originalName: `seed-${index}.png`,
      originalPath: `/seed/seed-${index}.png`,
      sizeBytes: png.length,
      mediaType: 'image/png',
      width: 16,
      height: 16,
      sha256,
      md5: createHash('md5').update(png).digest('hex'),
      pdqHash: '0'.repeat(64),
      pdqQuality: 0,
      storePath: relativePath,
      decodeNotes: [],
    });
  }
  caseFolder.db.finishJob(job.id, 'completed', examiner);
  caseFolder.close();
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await writeSettings(workspace, { examiner, blurByDefault: true });

  const { outDir } = await buildRenderer({ outDir: join(root, 'renderer') });
  const host = await startBrowserHost({ workspace, rendererDir: outDir });
  const browser = await chromium.launch({ executablePath: process.env.ACSR_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Open' }).waitFor();
    const openStarted = performance.now();
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('[data-testid=evidence-tile] img').first().waitFor({ timeout: 60_000 });
    const firstThumbnailMs = performance.now() - openStarted;

    const scroll = await page.evaluate(async () => {
      const grid = document.querySelector('[data-testid=evidence-grid]') as HTMLElement;
      const intervals: number[] = [];
      let maxTiles = 0;
      let last = performance.now();
      const started = last;
      while (grid.scrollTop + grid.clientHeight < grid.scrollHeight - 1) {
        grid.scrollTop += grid.clientHeight / 2;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        intervals.push(now - last);
        last = now;
        maxTiles = Math.max(maxTiles, document.querySelectorAll('[data-testid=evidence-tile]').length);
      }
      return { intervals, maxTiles, seconds: (performance.now() - started) / 1000, scrollHeight: grid.scrollHeight };
    });
    await page.locator('[data-testid=evidence-tile] img').last().waitFor({ timeout: 60_000 });
    const figures = {
      items: itemCount,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      firstThumbnailMs: Math.round(firstThumbnailMs),
      scrollFrames: scroll.intervals.length,
      frameMsMedian: Number(percentile(scroll.intervals, 0.5).toFixed(1)),
      frameMsP95: Number(percentile(scroll.intervals, 0.95).toFixed(1)),
      frameMsMax: Number(Math.max(...scroll.intervals).toFixed(1)),
      tilesInDomMax: scroll.maxTiles,
      scrollSeconds: Number(scroll.seconds.toFixed(2)),
    };
    console.log(
      `evidence grid, ${itemCount} items: list + first thumbnail ${figures.firstThumbnailMs} ms; scrolling top to bottom in ${figures.scrollFrames} frames: median ${figures.frameMsMedian} ms, p95 ${figures.frameMsP95} ms, max ${figures.frameMsMax} ms per frame; at most ${figures.tilesInDomMax} tiles in the DOM`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
    await host.close();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
