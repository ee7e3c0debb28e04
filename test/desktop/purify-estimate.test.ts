/**
 * The duration said before purifying: through the workstation's purification.estimate channel on
 * a real case (real imports, a real purification with the shipped bundle), and the arithmetic on
 * the times this project measured (README: 4.5-4.9 s for a 224x224 image, 62-65 s for a 1024x768
 * photo with the default bundle).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkstationService } from '../../main/workstation/workstation-service.ts';
import { estimatePurification, type TimedRun } from '../../main/workstation/purification-estimate.ts';
import { writeSettings } from '../../main/workstation/workspace-settings.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const run = (bundle: string, width: number, height: number, seconds: number, createdAt: string): TimedRun => ({
  pixels: width * height,
  totalMs: seconds * 1000,
  bundleManifestSha256: bundle,
  createdAt,
});

describe('purification estimate from measured runs', () => {
  it('scales the seconds per megapixel of this bundle to the images asked about', () => {
    const runs = [run(A, 224, 224, 4.7, '2026-11-25T10:00:00Z'), run(A, 1024, 768, 63, '2026-11-25T10:01:00Z'), run(B, 224, 224, 50, '2026-11-25T10:02:00Z')];
    const estimate = estimatePurification(runs, A, [224 * 224, 1024 * 768]);
    assert.equal(estimate.basis, 'this-bundle');
    assert.equal(estimate.runsMeasured, 2);
    // The two measured images again: the estimate is their total, whatever their sizes.
    assert.ok(Math.abs(estimate.seconds! - (4.7 + 63)) < 1e-9, String(estimate.seconds));
    assert.ok(Math.abs(estimate.secondsPerImage! - (4.7 + 63) / 2) < 1e-9);
    // A 1024x768 photo alone: between the two sizes' own rates (94 and 80 s per megapixel).
    const photo = estimatePurification(runs, A, [1024 * 768]).seconds!;
    assert.ok(photo > 63 && photo < 94 * 0.786432, String(photo));
  });

  it('falls back on other bundles, and says there is none when nothing ran', () => {
    const other = estimatePurification([run(B, 100, 100, 2, '2026-11-25T10:00:00Z')], A, [200 * 200]);
    assert.equal(other.basis, 'other-bundles');
    assert.ok(Math.abs(other.seconds! - 8) < 1e-9);
    assert.deepEqual(estimatePurification([], A, [100]), { basis: 'none', runsMeasured: 0, seconds: null, secondsPerImage: null, secondsPerMegapixel: null });
  });

  it('counts only the latest runs', () => {
    const old = Array.from({ length: 30 }, (_, i) => run(A, 100, 100, 100, `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`));
    const recent = Array.from({ length: 20 }, (_, i) => run(A, 100, 100, 1, `2026-11-01T00:00:${String(i).padStart(2, '0')}Z`));
    const estimate = estimatePurification([...old, ...recent], A, [100 * 100]);
    assert.equal(estimate.runsMeasured, 20);
    assert.ok(Math.abs(estimate.seconds! - 1) < 1e-9);
  });
});

describe('purification.estimate on a real case', () => {
  let root: string;
  let service: WorkstationService;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'acsr-purify-estimate-'));
    const workspace = join(root, 'workspace');
    await mkdir(workspace);
    await writeSettings(workspace, { examiner: 'A. Jones', blurByDefault: true });
    service = new WorkstationService({ workspace, host: 'browser', nativeFolderDialog: false });
  });
  after(async () => {
    await service?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('says there is no estimate before the first purification, then scales the measured one by image size', { timeout: 600_000 }, async () => {
    const small = await writePhotoCrop('skimage-chelsea.png', join(root, 'a-small.png'), { left: 140, top: 50, size: 48 });
    const large = await writePhotoCrop('skimage-astronaut.png', join(root, 'b-large.png'), { left: 150, top: 50, size: 96 });
    const created = await service.handlers['cases.create']({ number: 'E-1', title: 'estimate' });
    await service.handlers['jobs.start']({ kind: 'import', caseId: created.caseId, sources: [small, large] });
    await service.jobs.whenIdle();
    const items = await service.handlers['evidence.list']({ caseId: created.caseId });
    const bySize = [...items].sort((a, b) => a.width * a.height - b.width * b.height);
    assert.deepEqual(
      bySize.map((item) => [item.width, item.height]),
      [
        [48, 48],
        [96, 96],
      ],
    );
    const ask = (itemIds: number[]) => service.handlers['purification.estimate']({ caseId: created.caseId, itemIds, bundleId: 'default-bundle' });
    assert.equal((await ask([bySize[1].itemId])).basis, 'none');

    await service.handlers['jobs.start']({
      kind: 'purify',
      caseId: created.caseId,
      itemIds: [bySize[0].itemId],
      bundleId: 'default-bundle',
      classifierId: null,
    });
    await service.jobs.whenIdle();
    const [measured] = await service.handlers['evidence.purifications']({ caseId: created.caseId, itemId: bySize[0].itemId });
    assert.ok(measured.totalMs > 0);
    const estimate = await ask([bySize[1].itemId]);
    assert.equal(estimate.basis, 'this-bundle');
    assert.equal(estimate.runsMeasured, 1);
    // Four times the pixels of the one measured image: four times its time.
    assert.ok(Math.abs(estimate.seconds! - (4 * measured.totalMs) / 1000) < 1e-6, `${estimate.seconds} vs ${measured.totalMs} ms`);
  });
});
