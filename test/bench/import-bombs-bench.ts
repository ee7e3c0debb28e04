/**
 * Decompression bombs under the pixel cap: 16 PNGs of about a megabyte, each 10000 x 10000
 * pixels of 16-bit RGBA (800 MB of samples once decoded), 8 distinct contents (one pixel apart)
 * and 8 byte-identical copies, imported with the default options (one image worker per core,
 * the default decode budget). Target: peak RSS of the importing process (main thread and every
 * image worker: they are threads of one process) under 1.5 GB, every bomb imported, a duplicate
 * or refused with a reason.
 *
 *   npm exec -- node --import tsx test/bench/import-bombs-bench.ts [--bombs=16] [--variants=8] [--workers=N] [--budget-mib=N]
 *
 * The bombs are made in this process; the import runs in a child process of its own, so its
 * peak RSS (getrusage's maxrss, the kernel's high-water mark) is the import's alone.
 * Last line: the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { writeBombs } from '../case/bomb-fixtures.ts';

function argument(name: string, fallback: number): number {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return given ? Number(given.slice(name.length + 3)) : fallback;
}

const TARGET_PEAK_RSS_BYTES = 1.5e9;
const childFolder = process.argv.find((arg) => arg.startsWith('--import-into='))?.slice('--import-into='.length);

if (childFolder) {
  const workers = argument('workers', -1);
  const budgetMiB = argument('budget-mib', 0);
  const caseFolder = await CaseFolder.create(join(childFolder, 'case'), { number: 'BOMBS', title: 'bomb benchmark', examiner: 'bench' });
  const started = performance.now();
  const summary = await caseFolder.importEvidence([join(childFolder, 'in')], {
    examiner: 'bench',
    ...(workers >= 0 ? { imageWorkers: workers } : {}),
    ...(budgetMiB > 0 ? { decodeBudgetBytes: budgetMiB * 2 ** 20 } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  caseFolder.close();
  console.log(
    JSON.stringify({
      seconds,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      decodeBudgetBytes: summary.decodeBudgetBytes,
      imported: summary.imported,
      duplicates: summary.duplicates,
      errors: summary.errors,
      outcomes: summary.outcomes.map(({ sourcePath, outcome, errorKind, message }) => ({ file: sourcePath.split('/').pop(), outcome, errorKind, message })),
    }),
  );
} else {
  const bombs = argument('bombs', 16);
  const variants = argument('variants', 8);
  const root = await mkdtemp(join(os.tmpdir(), 'acsr-bombs-bench-'));
  try {
    await mkdir(join(root, 'in'));
    const madeAt = performance.now();
    await writeBombs(join(root, 'in'), bombs, variants);
    console.log(`made ${bombs} bombs (${variants} distinct) in ${((performance.now() - madeAt) / 1000).toFixed(1)} s`);
    const passOn = process.argv.slice(2).filter((arg) => /^--(workers|budget-mib)=/.test(arg));
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--import-into=${root}`, ...passOn], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`the import child exited with ${child.status ?? child.signal}`);
    const figures = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
    const everyOneAnswered = figures.imported + figures.duplicates + figures.errors === bombs;
    const result = {
      benchmark: 'import-bombs',
      bombs,
      variants,
      cpus: os.availableParallelism(),
      freeMemoryMiB: Math.round(os.freemem() / 2 ** 20),
      loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
      decodeBudgetMiB: Math.round(figures.decodeBudgetBytes / 2 ** 20),
      seconds: Number(figures.seconds.toFixed(1)),
      peakRssMiB: Math.round(figures.peakRssBytes / 2 ** 20),
      targetPeakRssMiB: Math.round(TARGET_PEAK_RSS_BYTES / 2 ** 20),
      withinTarget: figures.peakRssBytes < TARGET_PEAK_RSS_BYTES,
      imported: figures.imported,
      duplicates: figures.duplicates,
      refused: figures.errors,
      everyOneAnswered,
    };
    console.log(
      `import of ${bombs} 10000 x 10000 16-bit RGBA bombs: ${result.imported} imported, ${result.duplicates} duplicates, ${result.refused} refused, in ${result.seconds} s`,
    );
    for (const outcome of figures.outcomes) console.log(`  ${outcome.file}: ${outcome.outcome}${outcome.message ? ` (${outcome.message})` : ''}`);
    console.log(
      `  peak RSS ${result.peakRssMiB} MiB (target < ${result.targetPeakRssMiB} MiB), decode budget ${result.decodeBudgetMiB} MiB, ${result.cpus} CPUs, load ${result.loadAverage1m}`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
