/**
 * Import with filter scores: `acsr case import`'s service with the default content filter (nsfwjs
 * MobileNetV2) scoring every item, on camera-sized photos.
 *
 *   npm exec -- node --import tsx test/bench/case-import-scores-bench.ts [--images=500] [--without-filter]
 *
 * The shared photos are resized to between 1 and 2 megapixels (each photo its own size in that
 * range, JPEG quality 90) and written `images` times with distinct bytes (a counter after the
 * image data), so every file is copied, hashed, decoded, PDQ-hashed, thumbnailed and classified,
 * none skipped as a duplicate. The filter is loaded once, as the import job loads it (on its own
 * worker thread, folded for scoring); its load is timed apart. The target is >= 20 images/s on 2 cores. On a shared machine the wall-clock rate
 * says little, so the CPU time per image (all threads of the process) and the load average are
 * reported too. `--without-filter` also runs the same import without scores, for the difference.
 * Last line: the figures as JSON.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImageClassifier } from '../../main/acsr/models/latent-extractor.ts';
import { loadImageClassifierInWorker } from '../../main/acsr/models/worker-image-classifier.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { photosDir } from '../support/shared-data.ts';

const images = Number(process.argv.find((arg) => arg.startsWith('--images='))?.slice('--images='.length) ?? 500);
const alsoWithout = process.argv.includes('--without-filter');
const FILTER_ID = 'nsfwjs-mobilenet-v2';

interface Run {
  seconds: number;
  imagesPerSecond: number;
  cpuMsPerImage: number;
  loadAverage1m: number;
}

async function timedImport(root: string, input: string, label: string, classifier: ImageClassifier | undefined): Promise<Run> {
  const caseFolder = await CaseFolder.create(join(root, label), { number: label, title: 'import benchmark', examiner: 'bench' });
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const summary = await caseFolder.importEvidence([input], { examiner: 'bench', ...(classifier ? { classifier } : {}) });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const scored = summary.filter?.classified ?? 0;
    if (summary.imported !== images || (classifier && scored !== images)) {
      throw new Error(`bench import went wrong: ${summary.imported} imported, ${scored} scored of ${images}`);
    }
    return {
      seconds: Number(seconds.toFixed(2)),
      imagesPerSecond: Number((images / seconds).toFixed(1)),
      cpuMsPerImage: Number(((cpu.user + cpu.system) / 1000 / images).toFixed(1)),
      loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    };
  } finally {
    caseFolder.close();
  }
}

const root = await mkdtemp(join(os.tmpdir(), 'acsr-import-scores-bench-'));
try {
  const input = join(root, 'in');
  await mkdir(input);
  const photos = (await readdir(photosDir)).filter((name) => /\.(jpg|png)$/.test(name)).sort();
  const bases: Buffer[] = [];
  const pixels: number[] = [];
  for (const [index, name] of photos.entries()) {
    const { width = 1, height = 1 } = await sharp(join(photosDir, name)).metadata();
    const megapixels = 1 + index / Math.max(1, photos.length - 1);
    const scale = Math.sqrt((megapixels * 1e6) / (width * height));
    const [w, h] = [Math.round(width * scale), Math.round(height * scale)];
    pixels.push(w * h);
    bases.push(await sharp(join(photosDir, name)).resize(w, h).jpeg({ quality: 90 }).toBuffer());
  }
  let totalBytes = 0;
  for (let index = 0; index < images; index++) {
    const bytes = Buffer.concat([bases[index % bases.length], Buffer.from(`bench copy ${index}`)]);
    totalBytes += bytes.length;
    await writeFile(join(input, `photo-${String(index).padStart(6, '0')}.jpg`), bytes);
  }

  const loadStarted = performance.now();
  const classifier = await loadImageClassifierInWorker(FILTER_ID, { scoringOnly: true });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const withFilter = await timedImport(root, input, 'WITH-FILTER', classifier);
  classifier.dispose();
  const withoutFilter = alsoWithout ? await timedImport(root, input, 'WITHOUT-FILTER', undefined) : null;

  const result = {
    benchmark: 'case-import-with-filter-scores',
    images,
    filter: FILTER_ID,
    backend: classifier.identity.backend,
    megapixelsRange: [Math.min(...pixels) / 1e6, Math.max(...pixels) / 1e6].map((value) => Number(value.toFixed(2))),
    averageFileBytes: Math.round(totalBytes / images),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    filterLoadSeconds: Number(loadSeconds.toFixed(2)),
    ...withFilter,
    boundImagesPerSecondOnAllCores: Number(((os.availableParallelism() * 1000) / withFilter.cpuMsPerImage).toFixed(1)),
    withoutFilter,
  };
  console.log(
    `import with filter scores: ${images} JPEGs of ${result.megapixelsRange.join('-')} MP, ${FILTER_ID} on ${result.backend} (loaded in ${result.filterLoadSeconds} s), ${result.cpus} CPUs, load average ${withFilter.loadAverage1m}`,
  );
  console.log(`  ${withFilter.imagesPerSecond} images/s, ${withFilter.seconds} s (target: >= 20 images/s on 2 cores)`);
  console.log(`  ${withFilter.cpuMsPerImage} CPU ms per image: at most ${result.boundImagesPerSecondOnAllCores} images/s with all ${result.cpus} cores free`);
  if (withoutFilter) console.log(`  without the filter: ${withoutFilter.imagesPerSecond} images/s, ${withoutFilter.cpuMsPerImage} CPU ms per image`);
  console.log(JSON.stringify(result));
} finally {
  await rm(root, { recursive: true, force: true });
}
