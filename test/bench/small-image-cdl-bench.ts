/**
 * Stage i on small images (Fashion-MNIST 28 x 28, 32 atoms of 8 x 8, lambda 0.1), as `acsr train`
 * runs it:
 *  - one online dictionary (Liu et al. 2018, mini-batches of 8, 50 CBPDN iterations a step, one
 *    epoch) from the first 90 T-shirt/top images: wall and CPU seconds, median of the runs;
 *  - the specificity check's objectives: 200 images coded with each of 20 dictionaries (50 CBPDN
 *    iterations at most, blocks of 32) on worker threads, every core.
 * The dictionaries of the second part are data-initialised (initialAtoms), not learned: the cost
 * of a solve does not depend on how good the dictionary is, only on when it stops.
 *
 *   npm exec -- node --import tsx test/bench/small-image-cdl-bench.ts [--runs=3] [--dictionaries=20]
 *
 * CPU seconds count every thread of this process. Last line: the figures as JSON.
 */
import os from 'node:os';
import { fashionMnistSource } from '../../main/acsr/references/labelled-images.ts';
import { cdlSettings, initialAtoms, learnPatchDictionary } from '../../main/acsr/references/learn-patch-dictionary.ts';
import { cbpdnObjectivesForDictionaries } from '../../main/acsr/references/objective-worker-pool.ts';
import { imagePatchSource } from '../../main/acsr/references/patch-source.ts';
import { DEFAULT_TRAINING_PARAMETERS, SPECIFICITY_MAX_ITERATIONS } from '../../main/acsr/references/train-references.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { silentProgress } from '../../main/progress/progress.ts';
import { fastEngineFactory } from '../../main/acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const option = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const runs = option('runs', 3);
const dictionaryCount = option('dictionaries', 20);
const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1];

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await work();
  const cpu = process.cpuUsage(cpu0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const source = await fashionMnistSource(fashionMnistDir, 2000, 1);
const patchSettings = { patchSize: 28, patchesPerImage: 4, tikhonovLambda: 5, seed: 0 };

const tshirts = source.images.flatMap((image, i) => (image.className === 'T-shirt/top' ? [i] : [])).slice(0, 90);
const patches = imagePatchSource(
  tshirts.map((i) => source.images[i]),
  tshirts,
  patchSettings,
);
const settings = { ...cdlSettings(DEFAULT_TRAINING_PARAMETERS), cdlMethod: 'online-liu2018' as const, onlineEpochs: 1 };
const online: { wall: number; cpu: number }[] = [];
for (let run = 0; run < runs; run++) {
  online.push(await timed(() => learnPatchDictionary(patches, 28, 1, settings, fastEngineFactory(1), 123, silentProgress)));
}
const onlineWall = median(online.map((r) => r.wall));
const onlineCpu = median(online.map((r) => r.cpu));
console.log(
  `online dictionary, 90 images, 1 epoch: ${onlineWall.toFixed(2)} s wall, ${onlineCpu.toFixed(2)} s CPU (median of ${runs}); per image ${(onlineWall / 90).toFixed(4)} s wall, ${(onlineCpu / 90).toFixed(4)} s CPU`,
);

const held = Array.from({ length: 200 }, (_, k) => 1500 + k);
const single = imagePatchSource(
  held.map((i) => source.images[i]),
  held,
  { ...patchSettings, patchesPerImage: 1 },
);
const signals = await Promise.all(held.map(async (_, k) => (await single.patchesOf(k))[0]));
const dictionaries = Array.from({ length: dictionaryCount }, (_, j) => initialAtoms(signals, 28, 1, { atoms: 32, atomSize: 8 }, seededRandom(1000 + j)));
const specificity = await timed(() =>
  cbpdnObjectivesForDictionaries(dictionaries, signals, 28, 1, { lambda: 0.1, maxIterations: SPECIFICITY_MAX_ITERATIONS, tolerance: 1e-3, block: 32 }),
);
console.log(
  `specificity objectives, 200 images x ${dictionaryCount} dictionaries, ${os.availableParallelism()} threads: ${specificity.wall.toFixed(1)} s wall, ${specificity.cpu.toFixed(1)} s CPU`,
);

console.log(
  JSON.stringify({
    benchmark: 'small-image-cdl',
    cores: os.availableParallelism(),
    loadAverage: os.loadavg()[0],
    onlineSecondsPerDictionary90: { wall: onlineWall, cpu: onlineCpu },
    onlineSecondsPerImageEpoch: { wall: onlineWall / 90, cpu: onlineCpu / 90 },
    specificity200Images: { dictionaries: dictionaryCount, wall: specificity.wall, cpu: specificity.cpu },
  }),
);
process.exit(0);
