import type { FloatArray } from '../../acsr/array/float-array.ts';
import type { ImageArray } from '../../acsr/array/image-array.ts';
import { seededRandom } from '../../acsr/random/seeded-random.ts';
import { learnDictionaryBatch } from '../../acsr/signal/batch-cdl.ts';
import { referenceEngineFactory, type CbpdnEngineFactory, type CbpdnSignal } from '../../acsr/signal/cbpdn.ts';
import { toSporcoLayout, type ConvDictionary } from '../../acsr/signal/conv-dictionary.ts';
import { trainingCropSide } from '../../acsr/references/training-crop-side.ts';
import { buildTrainingSet, randomDictionary } from '../../acsr/signal/dictionary-training-set.ts';
import { OnlineCdl } from '../../acsr/signal/online-cdl.ts';
import { fastEngineFactory } from '../../acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { readImage } from '../../io/image.ts';
import { expandImageInputs } from '../../io/image-inputs.ts';
import { createNdArray } from '../../io/ndarray.ts';
import { writeNpy } from '../../io/npy.ts';
import type { ProgressReporter } from '../../progress/progress.ts';
import { defineCommand } from '../command.ts';

export const learnDictionaryCommand = defineCommand({
  name: 'learn-dictionary',
  summary: 'learn a convolutional dictionary from images (batch ADMM + PGM, or online as Liu et al. 2018)',
  description:
    'Training data: same-size crops of the images (the largest square that fits all, capped by --crop), reduced to ' +
    'their Tikhonov high-frequency part (--tikhonov 0 keeps them as they are). Atoms start Gaussian (seeded) and are ' +
    'kept at unit norm. Batch: --iters outer iterations over all crops (SPORCO ConvBPDNDictLearn, admm/pgm). ' +
    'Online: --iters passes over the crops, one crop per step (SPORCO OnlineConvBPDNDictLearn). The output is ' +
    "SPORCO's layout: (size, size, M) for --channels 1, (size, size, 3, M) for --channels 3.",
  examples: ['acsr learn-dictionary --in ../shared/data/photos --atoms 32 --size 8 --channels 3 --out D.npy'],
  options: {
    in: { type: 'string', required: true, multiple: true, valueName: 'DIR|FILES', description: 'training images (folders are searched recursively)' },
    atoms: { type: 'integer', required: true, min: 1, description: 'number of atoms M' },
    size: { type: 'integer', default: 8, min: 1, description: 'atom height and width' },
    channels: { type: 'integer', choices: [1, 3], default: 1, description: '1: greyscale dictionary; 3: RGB multi-channel dictionary' },
    online: { type: 'boolean', description: 'online learning (constant memory) instead of batch' },
    lambda: { type: 'number', default: 0.1, min: 0, description: 'l1 weight of the sparse-coding step' },
    iters: { type: 'integer', min: 1, description: 'batch: outer iterations (default 100); online: passes over the crops (default 2)' },
    crop: { type: 'integer', default: 64, min: 8, description: 'largest crop side in pixels' },
    cropsPerImage: { type: 'integer', default: 1, min: 1, description: 'random crops per image (1: one centred crop)' },
    tikhonov: { type: 'number', default: 5, min: 0, description: 'Tikhonov lambda of the high-pass (0: none)' },
    zeroMean: { type: 'boolean', description: 'constrain atoms to zero mean' },
    seed: { type: 'integer', default: 1, description: 'seed of the initial dictionary and crop positions' },
    precision: {
      type: 'string',
      choices: ['float32', 'float64'],
      default: 'float32',
      description: 'float32: fast multi-threaded engine; float64: reference engine',
    },
    out: { type: 'string', required: true, valueName: 'D.npy', description: 'dictionary output' },
  },
  async run({ options, note, print, progress, signal }) {
    if (!/\.npy$/i.test(options.out)) throw new UserInputError(`--out ${options.out}: the dictionary is written as .npy`);
    const files = await expandImageInputs(options.in);
    const images: ImageArray<Float64Array>[] = [];
    const reading = progress.sub(0, 0.05, 'reading images');
    for (const [index, file] of files.entries()) {
      signal.throwIfAborted();
      const image = await readImage(file, { channels: options.channels === 1 ? 'gray' : 'rgb', precision: 'float64' });
      for (const line of image.notes) note(`${file}: ${line}`);
      images.push(image as ImageArray<Float64Array>);
      reading.report({ stage: 'reading images', fraction: (index + 1) / files.length });
    }
    const smallest = Math.min(...images.map((image) => Math.min(image.height, image.width)));
    trainingCropSide(smallest, options.size);
    const random = seededRandom(options.seed);
    const training = buildTrainingSet(images, { cropSize: options.crop, tikhonovLambda: options.tikhonov, cropsPerImage: options.cropsPerImage }, random);
    const initial = randomDictionary(options.size, options.channels, options.atoms, random);
    const iterations = options.iters ?? (options.online ? 2 : 100);
    const learning = progress.sub(0.05, 1, options.online ? 'online learning' : 'batch learning');

    const started = performance.now();
    const learned: { dictionary: ConvDictionary; objectives: number[] } =
      options.precision === 'float64'
        ? await learn(initial, training, referenceEngineFactory)
        : await learn({ ...initial, data: Float32Array.from(initial.data) }, { ...training, planes: Float32Array.from(training.planes) }, fastEngineFactory());
    const seconds = (performance.now() - started) / 1000;

    const sporco = toSporcoLayout(learned.dictionary);
    await writeNpy(options.out, createNdArray(sporco.shape, Float64Array.from(sporco.data)));
    const summary = {
      images: files.length,
      crops: training.images,
      cropSize: training.height,
      atoms: options.atoms,
      atomSize: options.size,
      channels: options.channels,
      method: options.online ? 'online' : 'batch',
      iterations,
      lambda: options.lambda,
      seed: options.seed,
      firstObjective: learned.objectives[0],
      finalObjective: learned.objectives.at(-1),
      seconds,
      out: options.out,
    };
    print(
      `learned ${options.atoms} atoms of ${options.size}x${options.size}x${options.channels} from ${training.images} crops of ${training.height}x${training.height} in ${seconds.toFixed(1)} s -> ${options.out}`,
    );
    return summary;

    async function learn<T extends FloatArray>(start: ConvDictionary<T>, set: CbpdnSignal<T>, engine: CbpdnEngineFactory<T>) {
      return options.online ? learnOnline(start, set, engine, learning) : learnBatch(start, set, engine, learning);
    }

    async function learnBatch<T extends FloatArray>(start: ConvDictionary<T>, set: CbpdnSignal<T>, engine: CbpdnEngineFactory<T>, reporter: ProgressReporter) {
      const objectives: number[] = [];
      const result = await learnDictionaryBatch(start, set, options.lambda, { iterations, zeroMean: options.zeroMean }, engine, {
        signal,
        onIteration: (it) => {
          objectives.push(it.objective);
          reporter.report({ stage: 'iteration', fraction: (it.iteration + 1) / iterations, metrics: { objective: it.objective } });
        },
      });
      return { dictionary: result.dictionary, objectives };
    }

    async function learnOnline<T extends FloatArray>(start: ConvDictionary<T>, set: CbpdnSignal<T>, engine: CbpdnEngineFactory<T>, reporter: ProgressReporter) {
      const learner = new OnlineCdl(start, options.lambda, { zeroMean: options.zeroMean }, engine);
      const planeSize = set.height * set.width * set.channels;
      const objectives: number[] = [];
      const steps = iterations * set.images;
      for (let step = 0; step < steps; step++) {
        signal.throwIfAborted();
        const k = step % set.images;
        const sample = {
          height: set.height,
          width: set.width,
          channels: set.channels,
          images: 1,
          planes: set.planes.subarray(k * planeSize, (k + 1) * planeSize) as T,
        };
        const result = await learner.learn(sample);
        objectives.push(result.objective);
        reporter.report({ stage: 'step', fraction: (step + 1) / steps, metrics: { objective: result.objective, eta: result.eta } });
      }
      return { dictionary: learner.dictionary, objectives };
    }
  },
});
