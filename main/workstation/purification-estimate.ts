/**
 * How long purifying the selected items will take, said before the investigator starts: from
 * what this case's earlier purifications took (each run records its total time), scaled by the
 * selected images' sizes, since CBPDN's cost grows with the pixels (a 224x224 image takes
 * seconds, a 1024x768 photo about a minute). Runs with the chosen bundle count first; failing
 * those, runs with any bundle on this case; failing those, there is no estimate and the dialog
 * says so rather than guessing.
 */
import type { CaseFolder } from '../case/case-folder.ts';
import type { PurificationEstimate } from '../ipc/contract/index.ts';

/** The most recent runs weigh in: the machine and its load change over weeks. */
export const RUNS_MEASURED = 20;

export interface TimedRun {
  readonly pixels: number;
  readonly totalMs: number;
  readonly bundleManifestSha256: string;
  readonly createdAt: string;
}

/** The estimate for images of these pixel counts with the bundle of this manifest hash. */
export function estimatePurification(runs: readonly TimedRun[], bundleManifestSha256: string, pixels: readonly number[]): PurificationEstimate {
  const usable = runs.filter((run) => run.pixels > 0 && run.totalMs > 0).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const sameBundle = usable.filter((run) => run.bundleManifestSha256 === bundleManifestSha256);
  const basis = sameBundle.length > 0 ? 'this-bundle' : usable.length > 0 ? 'other-bundles' : 'none';
  const measured = (basis === 'this-bundle' ? sameBundle : usable).slice(0, RUNS_MEASURED);
  if (measured.length === 0) return { basis, runsMeasured: 0, seconds: null, secondsPerImage: null, secondsPerMegapixel: null };
  const seconds = measured.reduce((sum, run) => sum + run.totalMs / 1000, 0);
  const megapixels = measured.reduce((sum, run) => sum + run.pixels / 1e6, 0);
  const perMegapixel = seconds / megapixels;
  return {
    basis,
    runsMeasured: measured.length,
    seconds: pixels.reduce((sum, count) => sum + (count / 1e6) * perMegapixel, 0),
    secondsPerImage: seconds / measured.length,
    secondsPerMegapixel: perMegapixel,
  };
}

/** Every purification run of the case with its image's size. */
export function timedRunsOf(opened: CaseFolder): TimedRun[] {
  const runs: TimedRun[] = [];
  // Read whole before the runs are queried: one connection does not run a query while iterating another.
  for (const item of [...opened.db.items()]) {
    for (const run of opened.db.purificationRuns(item.id)) {
      runs.push({
        pixels: item.width * item.height,
        totalMs: run.timingsMs.total ?? 0,
        bundleManifestSha256: run.bundleManifestSha256,
        createdAt: run.createdAt,
      });
    }
  }
  return runs;
}
