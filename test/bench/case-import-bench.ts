/**
 * Evidence import throughput: `acsr case import`'s service on typical camera-sized JPEGs.
 *
 *   npm exec -- node --import tsx test/bench/case-import-bench.ts [--images=300] [--megapixels=1.5] [--workers=N] [--concurrency=N]
 *
 * The shared photos are enlarged to about `megapixels` (JPEG quality 90, like a phone camera)
 * and written `images` times with distinct bytes (a counter appended after the image data), so
 * every file is really copied, hashed, decoded and PDQ-hashed, none skipped as a duplicate.
 * Everything an import does is timed: scan, copy with SHA-256 + MD5, fsync, full decode, PDQ,
 * store rename, one transaction per file with its audit entry. The target is >= 50
 * images/s for 1-2 MP JPEGs on a 2-core machine. On a shared machine the wall-clock rate says
 * little, so the CPU time per image (all threads of the process) is reported too: with the cores
 * to itself, an import cannot go faster than cores x 1000 / (CPU ms per image) images/s.
 * Last line: the figures as JSON.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { photosDir } from '../support/shared-data.ts';

function argument(name: string, fallback: number): number {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return given ? Number(given.slice(name.length + 3)) : fallback;
}

const images = argument('images', 300);
const megapixels = argument('megapixels', 1.5);
const concurrencyArgument = argument('concurrency', 0);
const concurrency = concurrencyArgument > 0 ? concurrencyArgument : undefined;
const workersArgument = argument('workers', -1);
const imageWorkers = workersArgument >= 0 ? workersArgument : undefined;

const root = await mkdtemp(join(os.tmpdir(), 'acsr-case-import-bench-'));
try {
  const input = join(root, 'in');
  await mkdir(input);
  const photos = (await readdir(photosDir)).filter((name) => /\.(jpg|png)$/.test(name)).sort();
  const bases: Buffer[] = [];
  for (const name of photos) {
    const { width = 1, height = 1 } = await sharp(join(photosDir, name)).metadata();
    const scale = Math.sqrt((megapixels * 1e6) / (width * height));
    bases.push(
      await sharp(join(photosDir, name))
        .resize(Math.round(width * scale), Math.round(height * scale))
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  }
  let totalBytes = 0;
  for (let index = 0; index < images; index++) {
    const bytes = Buffer.concat([bases[index % bases.length], Buffer.from(`bench copy ${index}`)]);
    totalBytes += bytes.length;
    await writeFile(join(input, `photo-${String(index).padStart(6, '0')}.jpg`), bytes);
  }

  const caseFolder = await CaseFolder.create(join(root, 'case'), { number: 'BENCH', title: 'import benchmark', examiner: 'bench' });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const summary = await caseFolder.importEvidence([input], { examiner: 'bench', concurrency, imageWorkers });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerImage = (cpu.user + cpu.system) / 1000 / images;
  clearInterval(sampler);
  const verifyStarted = performance.now();
  const verification = await caseFolder.verify({ examiner: 'bench' });
  const verifySeconds = (performance.now() - verifyStarted) / 1000;
  caseFolder.close();
  if (summary.imported !== images || !verification.ok) throw new Error(`bench import went wrong: ${JSON.stringify({ ...summary, outcomes: undefined })}`);

  const result = {
    benchmark: 'case-import',
    images,
    megapixels,
    averageFileBytes: Math.round(totalBytes / images),
    imageWorkers: imageWorkers ?? 'default (one per core)',
    concurrency: concurrency ?? 'default',
    cpus: os.availableParallelism(),
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    seconds: Number(seconds.toFixed(2)),
    imagesPerSecond: Number((images / seconds).toFixed(1)),
    megabytesPerSecond: Number((totalBytes / 1e6 / seconds).toFixed(1)),
    cpuMsPerImage: Number(cpuMsPerImage.toFixed(1)),
    boundImagesPerSecondOnAllCores: Number(((os.availableParallelism() * 1000) / cpuMsPerImage).toFixed(1)),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    verifyImagesPerSecond: Number((images / verifySeconds).toFixed(1)),
  };
  console.log(
    `case import: ${images} JPEGs of ~${megapixels} MP (${(result.averageFileBytes / 1e3).toFixed(0)} kB average), ${result.cpus} CPUs, load average ${result.loadAverage1m}`,
  );
  console.log(
    `  ${result.imagesPerSecond} images/s (${result.megabytesPerSecond} MB/s), ${seconds.toFixed(1)} s, peak RSS ${result.peakRssMiB} MiB (target: >= 50 images/s on 2 cores)`,
  );
  console.log(`  ${result.cpuMsPerImage} CPU ms per image: at most ${result.boundImagesPerSecondOnAllCores} images/s with all ${result.cpus} cores free`);
  console.log(`  verify: ${result.verifyImagesPerSecond} images/s`);
  console.log(JSON.stringify(result));
} finally {
  await rm(root, { recursive: true, force: true });
}
