/**
 * Throughput of the worker fleet: one batch purified through a real Redis by 1 worker, then by
 * 2 (and more with --workers), each worker a separate `acsr worker` process with --threads 1, the
 * workstation recording every output as `acsr case purify --queue` does. Both run as installed
 * (bin/acsr.mjs), not through the tests' tsx loader, so the figures are the deployed command's.
 *
 *   npm run bench -- worker-fleet      the figure: 1 and 2 workers on 40 224x224 images, the ratio
 *   npm exec -- node --import tsx test/bench/worker-fleet-bench.ts [--images=40] [--size=224] [--workers=1,2] [--max-iterations=N]
 *
 * The images are the shared photos resized to size x size (and mirrored, for more than 20), so
 * every one is a distinct item. Each worker first purifies one warm-up image of its own (loading
 * its models), so the timed batch measures purification, not start-up. Reported per worker count:
 * images per minute as the workstation measures them (from its case job's start, publishing
 * included, to the last output recorded; the command's own start-up left out), the wall seconds
 * of the whole command, the speed-up over one worker, the workers' CPU seconds per image (by
 * thread) and the CPU seconds of the workstation and of Redis over the batch (all from /proc:
 * on one machine they share the workers' cores). On a shared machine the wall-clock speed-up says little unless the
 * cores are free: quote the load average (taken before and after) with it. The speed-up of 2
 * workers is compared with the target of at least 1.8x one worker. Last line: the figures as JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { startAcsr, type AcsrProcess } from '../fleet/fleet-processes.ts';
import { startRedisServer } from '../fleet/redis-server.ts';
import { photosDir, repoRoot } from '../support/shared-data.ts';

function argument(name: string, fallback: string): string {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return given ? given.slice(name.length + 3) : fallback;
}

const images = Number(argument('images', '40'));
const size = Number(argument('size', '224'));
const workerCounts = argument('workers', '1,2').split(',').map(Number);
const maxIterations = argument('max-iterations', '');
const bundle = join(repoRoot, 'models', 'default-bundle');

/** User + system CPU seconds of a live process (or of one of its threads), from /proc (Linux). */
function cpuSeconds(pid: number, tid?: number): number {
  const fields = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of each thread of a live process, by thread id (Linux /proc/PID/task). */
function threadCpuSeconds(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(Number(tid), cpuSeconds(pid, Number(tid)));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return threads;
}

/**
 * Where a worker's CPU went over the batch, per image: its main thread (decoding, the latent,
 * Tikhonov, PNG encoding), its CBPDN thread (the busiest other thread) and everything else (V8's
 * garbage collection and compiler threads, libuv's and libvips's pools), the part that runs
 * beside the task and so competes with a second worker rather than lengthening the first's.
 */
function threadShares(pid: number, before: Map<number, number>, after: Map<number, number>, count: number): { main: number; cbpdn: number; helpers: number } {
  const deltas = [...after].map(([tid, seconds]) => ({ tid, seconds: seconds - (before.get(tid) ?? 0) }));
  const main = deltas.find((entry) => entry.tid === pid)?.seconds ?? 0;
  const others = deltas.filter((entry) => entry.tid !== pid).sort((a, b) => b.seconds - a.seconds);
  const cbpdn = others[0]?.seconds ?? 0;
  const helpers = others.slice(1).reduce((sum, entry) => sum + entry.seconds, 0);
  return { main: main / count, cbpdn: cbpdn / count, helpers: helpers / count };
}

async function writeImages(folder: string, count: number, offset: number): Promise<string[]> {
  const photos = (await readdir(photosDir)).filter((name) => /\.(jpg|png)$/.test(name)).sort();
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const n = offset + index;
    const photo = sharp(join(photosDir, photos[n % photos.length])).resize(size, size, { fit: 'cover' });
    const variant = Math.floor(n / photos.length);
    const path = join(folder, `image-${String(n).padStart(4, '0')}.png`);
    await (variant % 2 === 1 ? photo.flop() : photo)
      .rotate(90 * Math.floor(variant / 2))
      .png()
      .toFile(path);
    paths.push(path);
  }
  return paths;
}

/**
 * Runs an `acsr` command to its end, sampling its CPU seconds while it runs (a finished process's
 * /proc entry is gone): the workstation's own share of the machine, which the workers lose.
 */
async function runWatched(args: readonly string[]): Promise<{ code: number | string; stderr: string; lastLine: string; cpuSeconds: number }> {
  const command = startAcsr(args, { installed: true });
  let cpu = 0;
  const sampler = setInterval(() => {
    try {
      cpu = cpuSeconds(command.child.pid!);
    } catch {
      // exited between samples: the last sample stands
    }
  }, 100);
  const code = await command.exited;
  clearInterval(sampler);
  return { code, stderr: command.stderr(), lastLine: command.stdout().trimEnd().split('\n').at(-1) ?? '', cpuSeconds: cpu };
}

/**
 * Median wall ms of each stage of a worker's task over the batch, from the timings recorded with
 * every run: which stage grows when workers share the machine.
 */
async function stageMedians(caseDir: string): Promise<Record<string, number>> {
  const caseFolder = await CaseFolder.open(caseDir, { readonly: true });
  try {
    const byStage = new Map<string, number[]>();
    for (const item of caseFolder.db.items())
      for (const run of caseFolder.db.purificationRuns(item.id))
        for (const [stage, ms] of Object.entries(run.timingsMs)) byStage.set(stage, [...(byStage.get(stage) ?? []), ms]);
    const medians: Record<string, number> = {};
    for (const [stage, values] of byStage) {
      const sorted = values.sort((a, b) => a - b);
      medians[stage] = Math.round(sorted[sorted.length >> 1]);
    }
    return medians;
  } finally {
    caseFolder.close();
  }
}

async function makeCase(folder: string, inputs: readonly string[]): Promise<string> {
  const caseFolder = await CaseFolder.create(folder, { number: 'BENCH', title: 'worker fleet benchmark', examiner: 'bench' });
  try {
    await caseFolder.importEvidence(inputs, { examiner: 'bench' });
  } finally {
    caseFolder.close();
  }
  return folder;
}

/** Throughput of 2 workers over 1 that the fleet is meant to reach on a batch of 40 224x224 images. */
const TARGET_SPEED_UP = 1.8;
const loadBefore = Number(os.loadavg()[0].toFixed(1));

const root = await mkdtemp(join(os.tmpdir(), 'acsr-fleet-bench-'));
const results: Record<string, unknown>[] = [];
try {
  const batch = await writeImages(root, images, 0);
  for (const count of workerCounts) {
    const redis = await startRedisServer();
    const shared = join(root, `shared-${count}`);
    await mkdir(shared);
    const workers: AcsrProcess[] = [];
    try {
      for (let index = 0; index < count; index++) {
        workers.push(startAcsr(['worker', '--queue', redis.url, '--shared', shared, '--threads', '1'], { installed: true }));
        await workers[index].waitFor(/worker ready/);
      }
      const purify = (caseDir: string) =>
        runWatched([
          'case',
          'purify',
          '--case',
          caseDir,
          '--all',
          '--bundle',
          bundle,
          '--queue',
          redis.url,
          '--shared',
          shared,
          '--examiner',
          'bench',
          '--progress',
          'none',
          '--json',
          ...(maxIterations ? ['--max-iterations', maxIterations] : []),
        ]);
      // warm-up: one image per worker (distinct from the batch), so every worker has loaded its models
      const warmUp = await purify(await makeCase(join(root, `warm-${count}`), await writeImages(join(root), count, images + 100 * count)));
      if (warmUp.code !== 0) throw new Error(`warm-up failed: ${warmUp.stderr}`);
      const caseDir = await makeCase(join(root, `case-${count}`), batch);
      const cpuBefore = workers.map((worker) => cpuSeconds(worker.child.pid!));
      const threadsBefore = workers.map((worker) => threadCpuSeconds(worker.child.pid!));
      const redisBefore = cpuSeconds(redis.pid);
      const started = performance.now();
      const run = await purify(caseDir);
      const seconds = (performance.now() - started) / 1000;
      if (run.code !== 0) throw new Error(`purify on ${count} workers failed: ${run.stderr}`);
      const cpu = workers.reduce((sum, worker, index) => sum + cpuSeconds(worker.child.pid!) - cpuBefore[index], 0);
      // Redis shares the workers' cores here as much as the workstation does: counted too
      const redisCpu = cpuSeconds(redis.pid) - redisBefore;
      const shares = workers.map((worker, index) => threadShares(worker.child.pid!, threadsBefore[index], threadCpuSeconds(worker.child.pid!), images));
      const perImage = (key: 'main' | 'cbpdn' | 'helpers') => Number(shares.reduce((sum, share) => sum + share[key], 0).toFixed(3));
      const workerCpuByThread = { main: perImage('main'), cbpdn: perImage('cbpdn'), helpers: perImage('helpers') };
      const imagesPerMinute = Number((JSON.parse(run.lastLine) as { imagesPerMinute: number }).imagesPerMinute.toFixed(1));
      const stages = await stageMedians(caseDir);
      results.push({
        workers: count,
        commandSeconds: Number(seconds.toFixed(1)),
        imagesPerMinute,
        workerCpuSecondsPerImage: Number((cpu / images).toFixed(2)),
        workerCpuSecondsPerImageByThread: workerCpuByThread,
        workstationCpuSeconds: Number(run.cpuSeconds.toFixed(1)),
        redisCpuSeconds: Number(redisCpu.toFixed(2)),
        workerStageMedianMs: stages,
      });
      console.log(
        `  workers' CPU s per image by thread: main ${workerCpuByThread.main}, CBPDN ${workerCpuByThread.cbpdn}, helpers (GC, compilers, libuv, libvips) ${workerCpuByThread.helpers}`,
      );
      console.log(
        `  a worker's time per image (median ms): ${Object.entries(stages)
          .map(([stage, ms]) => `${stage} ${ms}`)
          .join(', ')}`,
      );
      console.log(
        `${count} worker${count === 1 ? '' : 's'}: ${images} images of ${size}x${size}, ${imagesPerMinute} images/min (command ${seconds.toFixed(1)} s), ${(cpu / images).toFixed(2)} worker CPU s per image, workstation ${run.cpuSeconds.toFixed(1)} CPU s, Redis ${redisCpu.toFixed(2)} CPU s`,
      );
    } finally {
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((worker) => worker.exited));
      await redis.stop();
    }
  }
  const one = results.find((result) => result.workers === 1)?.imagesPerMinute as number | undefined;
  for (const result of results) if (one) result.speedUpOverOne = Number(((result.imagesPerMinute as number) / one).toFixed(2));
  const two = results.find((result) => result.workers === 2)?.speedUpOverOne as number | undefined;
  const target = two === undefined ? null : { speedUp: TARGET_SPEED_UP, met: two >= TARGET_SPEED_UP };
  const loadAfter = Number(os.loadavg()[0].toFixed(1));
  const summary = {
    benchmark: 'worker-fleet',
    images,
    size,
    cpus: os.availableParallelism(),
    loadAverage1m: { before: loadBefore, after: loadAfter },
    results,
    target,
  };
  console.log(
    `load average ${loadBefore} before, ${loadAfter} after, on ${summary.cpus} CPUs; speed-up over one worker: ${results.map((result) => `${result.workers}: ${String(result.speedUpOverOne)}x`).join(', ')}`,
  );
  if (target) console.log(`2 workers: ${two}x one worker, target at least ${TARGET_SPEED_UP}x: ${target.met ? 'met' : 'NOT met'}`);
  console.log(JSON.stringify(summary));
} finally {
  await rm(root, { recursive: true, force: true });
}
