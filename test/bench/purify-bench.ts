/**
 * Stage iii timing with the default bundle (models/default-bundle): `acsr bench purify`, i.e.
 * real photos resized to 224x224, 1024x768 and 4000x3000, one image and a batch of 20, median of
 * 3 runs, with seconds, images per minute, CBPDN iterations, peak RSS (each size in its own
 * process, so the peak is that size's), and the CBPDN iteration against the FFT-only bound and
 * SPORCO. The full set takes hours on 2 cores (the 4000x3000 batch above all); pass the
 * command's options to shorten a dev run:
 *
 *   npx node --import tsx test/bench/purify-bench.ts --sizes=224x224,1024x768 --runs=1 --batch=4
 *   PURIFY_BENCH_ARGS="--runs 1 --batch 4" npm run bench -- purify
 *
 * The peak memory of a 24-megapixel photo (memory does not depend on the iteration count, so a
 * cap of 2 iterations measures it in minutes instead of hours; its times are then not the product's):
 *
 *   npx node --import tsx test/bench/purify-bench.ts --sizes=6000x4000 --batch=0 --runs=1 --max-iterations=2
 *
 * It also times what an investigator waits for on one image: `acsr purify` of a 224x224 photo as
 * a new process (start-up, models, purification, writing), median of --runs.
 *
 * Last line: the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const passed = [...process.argv.slice(2).flatMap((arg) => arg.split('=')), ...(process.env.PURIFY_BENCH_ARGS?.split(/\s+/).filter(Boolean) ?? [])];
const sizesIndex = passed.indexOf('--sizes');
const sizes = (sizesIndex >= 0 ? passed[sizesIndex + 1] : '224x224,1024x768,4000x3000').split(',');
const rest = sizesIndex >= 0 ? passed.filter((_, i) => i !== sizesIndex && i !== sizesIndex + 1) : passed;

const runsIndex = passed.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(passed[runsIndex + 1]) : 3;
const cliOneImage = await timeOneImageCli(runs);
console.log(`one-image acsr purify of a 224x224 photo, as a new process: ${cliOneImage.secondsMedian.toFixed(2)} s (median of ${runs})`);

const results: unknown[] = [];
let cbpdn: unknown = null;
for (const [i, size] of sizes.entries()) {
  // the CBPDN comparison once, with the last size
  const command = ['bin/acsr.mjs', 'bench', 'purify', '--sizes', size, '--json', ...rest];
  const run = spawnSync(process.execPath, command, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const lines = run.stdout.trimEnd().split('\n');
  for (const line of lines.slice(0, -1)) console.log(line);
  if (run.status !== 0) {
    console.log(`(acsr bench purify --sizes ${size} exited with ${run.status})`);
    results.push({ size, failed: run.status });
    continue;
  }
  const summary = JSON.parse(lines.at(-1)!);
  results.push(...summary.sizes);
  if (i === sizes.length - 1) cbpdn = summary.cbpdn;
}
console.log(JSON.stringify({ cliOneImage224: cliOneImage, sizes: results, cbpdn }));

async function timeOneImageCli(count: number): Promise<{ secondsMedian: number; seconds: number[] }> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'acsr-bench-cli-'));
  try {
    const input = path.join(scratch, 'photo.png');
    await sharp(path.join(root, '../shared/data/photos/darknet-dog.jpg')).resize(224, 224, { fit: 'cover' }).png().toFile(input);
    const seconds: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = process.hrtime.bigint();
      const run = spawnSync(
        process.execPath,
        ['bin/acsr.mjs', 'purify', '--bundle', 'models/default-bundle', '--in', input, '--out', path.join(scratch, `out-${i}`), '--quiet'],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
      if (run.status !== 0) throw new Error(`acsr purify exited with ${run.status}: ${run.stderr}`);
      seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    const sorted = seconds.toSorted((a, b) => a - b);
    return { secondsMedian: sorted[Math.floor(sorted.length / 2)], seconds };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
