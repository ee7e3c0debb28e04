/**
 * `--train-baseline` from start to end: Fashion-MNIST train images -> the baseline CNN, trained
 * with a seed -> test accuracy on the 10,000 test images -> a verified model folder, registered in
 * the local registry so loadLatentExtractor(id) / loadImageClassifier(id) find it by id.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { FASHION_MNIST_CLASSES } from '../data/fashion-mnist.ts';
import {
  type BaselineCnnShape, type BaselineTrainingOptions, buildBaselineCnn, DEFAULT_BASELINE_SHAPE, DEFAULT_BASELINE_TRAINING,
  type EpochReport, evaluateBaselineCnn, trainBaselineCnn,
} from './baseline-cnn.ts';
import { fashionMnistPixels } from './baseline-cnn-data.ts';
import { type SavedBaselineModel, saveBaselineModel } from './baseline-cnn-files.ts';
import { defaultModelCacheDir } from './model-files.ts';
import { registerLocalModel } from './local-model-registry.ts';
import { initTfBackend } from './tf-backend.ts';

export interface TrainBaselineRequest {
  /** Folder with the Fashion-MNIST IDX files (train-*, and t10k-* for the test accuracy). */
  dataDir: string;
  /** First N training images (all 60,000 by default). */
  trainImages?: number;
  training?: Partial<BaselineTrainingOptions>;
  shape?: BaselineCnnShape;
  /** Model folder to create; by default `<cache>/models/<id>/`. */
  out?: string;
  /** Model cache whose local registry receives the entry (defaultModelCacheDir()). */
  cacheDir?: string;
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

export interface TrainBaselineResult {
  saved: SavedBaselineModel;
  history: EpochReport[];
  /** Top-1 on the t10k split, null when its files are not in dataDir. */
  testAccuracy: number | null;
  testImages: number;
  trainImages: number;
  backend: string;
  trainingSeconds: number;
}

const TRAIN_SHARE = 0.95;

export async function trainFashionMnistBaseline(request: TrainBaselineRequest): Promise<TrainBaselineResult> {
  const progress = request.progress ?? silentProgress;
  const options = { ...DEFAULT_BASELINE_TRAINING, ...request.training };
  const shape = request.shape ?? DEFAULT_BASELINE_SHAPE;
  // Checked before training, not after: hours of CPU must not end in a refusal to save.
  if (request.out && existsSync(request.out)) throw new UserInputError(`${request.out} already exists (choose a new folder for the trained model)`);
  const backend = await initTfBackend();
  const train = await fashionMnistPixels(request.dataDir, 'train', request.trainImages);
  const hasTest = existsSync(path.join(request.dataDir, 't10k-images-idx3-ubyte.gz'));
  const test = hasTest ? await fashionMnistPixels(request.dataDir, 't10k') : undefined;
  const model = buildBaselineCnn({ ...shape, height: train.height, width: train.width }, options.seed);
  try {
    const started = performance.now();
    const history = await trainBaselineCnn(model, train, options, { progress: progress.sub(0, TRAIN_SHARE), signal: request.signal });
    const trainingSeconds = (performance.now() - started) / 1000;
    const testAccuracy = test ? (await evaluateBaselineCnn(model, test, { signal: request.signal })).accuracy : null;
    progress.report({ stage: 'test', fraction: 1, message: testAccuracy === null ? 'no test images' : `test accuracy ${(100 * testAccuracy).toFixed(2)}%`, ...(testAccuracy === null ? {} : { metrics: { testAccuracy } }) });
    throwIfCancelled(request.signal);
    const cacheDir = request.cacheDir ?? defaultModelCacheDir();
    const summary = `baseline CNN trained here on ${train.count} Fashion-MNIST images, ${options.epochs} epochs` +
      (testAccuracy === null ? '' : `, test accuracy ${(100 * testAccuracy).toFixed(2)}% on ${test!.count} test images`);
    const saved = await saveBaselineModel(model, request.out ? { folder: request.out } : { parent: cacheDir }, {
      classNames: FASHION_MNIST_CLASSES,
      summary,
      report: {
        data: request.dataDir, trainImages: train.count, testImages: test?.count ?? 0, testAccuracy,
        shape: { ...shape, height: train.height, width: train.width }, training: options, backend: backend.choice, trainingSeconds,
        history,
      },
    });
    await registerLocalModel(saved.entry, saved.modelJsonPath, cacheDir);
    return { saved, history, testAccuracy, testImages: test?.count ?? 0, trainImages: train.count, backend: backend.choice, trainingSeconds };
  } finally {
    model.dispose();
  }
}
