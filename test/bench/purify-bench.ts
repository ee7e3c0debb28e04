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
 * Last line: the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const passed = [...process.argv.slice(2).flatMap((arg) => arg.split('=')), ...(process.env.PURIFY_BENCH_ARGS?.split(/\s+/).filter(Boolean) ?? [])];
const sizesIndex = passed.indexOf('--sizes');
const sizes = (sizesIndex >= 0 ? passed[sizesIndex + 1] : '224x224,1024x768,4000x3000').split(',');
const rest = sizesIndex >= 0 ? passed.filter((_, i) => i !== sizesIndex && i !== sizesIndex + 1) : passed;

const results: unknown[] = [];
let cbpdn: unknown = null;
for (const [i, size] of sizes.entries()) {
  // the CBPDN comparison once, with the last size
  const command = ['--import', 'tsx', 'main/cli/acsr.ts', 'bench', 'purify', '--sizes', size, '--json', ...rest];
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
console.log(JSON.stringify({ sizes: results, cbpdn }));
