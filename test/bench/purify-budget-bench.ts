/**
 * What a CBPDN budget (stopping tolerance, iteration cap) costs and what it changes: real photos
 * resized (default 224x224), purified with the default bundle at each budget and at a reference
 * budget close to full convergence, reporting per image and budget the largest and summed tile
 * iteration counts, tiles stopped by the cap, CPU seconds of the process (steadier than wall time
 * on a shared machine) and the purified output's difference from the reference: largest and mean
 * absolute difference in 8-bit levels, and the share of 8-bit samples that round differently.
 * Whether a cheaper budget keeps the protection is for the paired robust-accuracy evaluation to
 * say; this only measures the cost and the distance.
 *
 *   npx node --import tsx test/bench/purify-budget-bench.ts
 *   npx node --import tsx test/bench/purify-budget-bench.ts --size=1024x768 --photos=skimage-chelsea.png --budgets=ref:1e-4:300,default:1e-3:200
 *
 * A budget is name:tolerance:cap; the first one is the reference. Last line: the figures as JSON.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadLatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { PurificationEngines } from '../../main/acsr/purification/purification-engines.ts';
import { purifyImage } from '../../main/acsr/purification/purify-image.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { decodeImage } from '../../main/io/image.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = new Map(
  process.argv
    .slice(2)
    .filter((arg) => arg.startsWith('--'))
    .map((arg) => {
      const [key, ...value] = arg.slice(2).split('=');
      return [key, value.join('=')] as const;
    }),
);
const [width, height] = (args.get('size') || '224x224').split('x').map(Number);
const photos = (args.get('photos') || 'skimage-chelsea.png,skimage-astronaut.png,skimage-coffee.png').split(',');
const budgets = (args.get('budgets') || 'reference:1e-5:400,default:1e-3:200,tol-2e-3:2e-3:200,tol-3e-3:3e-3:200,cap-50:1e-3:50').split(',').map((text) => {
  const [name, tolerance, cap] = text.split(':');
  return { name, tolerance: Number(tolerance), maxIterations: Number(cap) };
});

const bundle = await loadReferenceBundle(path.join(root, 'models/default-bundle'));
const extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
const engines = new PurificationEngines({ prestart: true });
const rows: Record<string, unknown>[] = [];
try {
  for (const photo of photos) {
    const file = path.join(root, '../shared/data/photos', photo);
    const bytes = await sharp(file).resize(width, height, { fit: 'cover' }).png().toBuffer();
    const image = await decodeImage(new Uint8Array(bytes), { channels: 'rgb', source: file });
    let reference: Float32Array | undefined;
    for (const budget of budgets) {
      const cpu = process.cpuUsage();
      const result = await purifyImage({ image, bundle, extractor, engines, options: { tolerance: budget.tolerance, maxIterations: budget.maxIterations } });
      const used = process.cpuUsage(cpu);
      const purified = result.purified.data;
      reference ??= purified;
      let largest = 0;
      let sum = 0;
      let rounded = 0;
      for (let i = 0; i < purified.length; i++) {
        const difference = Math.abs(purified[i] - reference[i]);
        largest = Math.max(largest, difference);
        sum += difference;
        if (Math.round(purified[i] * 255) !== Math.round(reference[i] * 255)) rounded++;
      }
      const iterations = result.cbpdn.tiles.map((tile) => tile.iterations);
      const row = {
        photo,
        size: `${width}x${height}`,
        budget: budget.name,
        tolerance: budget.tolerance,
        maxIterations: budget.maxIterations,
        tiles: iterations.length,
        largestTileIterations: Math.max(...iterations),
        tileIterations: iterations.reduce((a, b) => a + b, 0),
        tilesAtCap: result.cbpdn.tiles.filter((tile) => !tile.converged).length,
        sparseCodingSeconds: result.timingsMs.sparseCoding / 1000,
        cpuSeconds: (used.user + used.system) / 1e6,
        largestDifference8bit: largest * 255,
        meanDifference8bit: (sum / purified.length) * 255,
        samplesRoundingDifferently: rounded / purified.length,
      };
      rows.push(row);
      console.log(
        `${photo} ${row.size} ${budget.name} (tol ${budget.tolerance}, cap ${budget.maxIterations}): ${row.largestTileIterations} iterations (sum ${row.tileIterations} over ${row.tiles} tiles, ${row.tilesAtCap} at the cap), ` +
          `${row.cpuSeconds.toFixed(2)} s CPU, ${row.sparseCodingSeconds.toFixed(2)} s sparse coding; vs ${budgets[0].name}: max ${row.largestDifference8bit.toFixed(2)} levels, mean ${row.meanDifference8bit.toFixed(3)}, ${(100 * row.samplesRoundingDifferently).toFixed(2)} % of samples round differently`,
      );
    }
  }
} finally {
  await engines.dispose();
  extractor.dispose();
}
console.log(JSON.stringify({ budgets: rows }));
