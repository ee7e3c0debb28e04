/**
 * The registered models on the selected tfjs backend: load time cold (conversion of the packaged
 * nsfwjs model into an empty cache) and warm (verified read of the cache), forward time per
 * 224x224 image (299x299 for InceptionV3, so no resize is timed) at batch 1 and 8, and each
 * model's labels for the real photos, and the time of one input gradient (d logit / d pixels, what
 * an attack step needs) and of one full backward pass including every weight gradient (what
 * training needs).
 *
 *   npx node --import tsx test/bench/models-bench.ts [--models=nsfwjs-mobilenet-v2,...] [--runs=5]
 *
 * Medians over runs. Last line: the figures as JSON.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { objectiveAndPixelGradient } from '../../main/acsr/models/input-gradients.ts';
import { loadModelRegistry } from '../../main/acsr/models/model-registry.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { readImage } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { photosDir } from '../support/shared-data.ts';

const args = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const modelIds = (
  args.get('models') ??
  loadModelRegistry()
    .models.map((m) => m.id)
    .join(',')
).split(',');
const runs = Number(args.get('runs') ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

/** Photos resized to the model's input with its own resize, so forward timings exclude resizing. */
function atModelSize(model: TfImageModel, images: readonly ImageArray[]): ImageArray[] {
  return images.map((image) => {
    const input = model.preprocess([image]);
    const data = input.dataSync() as Float32Array;
    input.dispose();
    return { height: model.inputSize.height, width: model.inputSize.width, channels: 3, data };
  });
}

function softmax(scores: Float32Array): number[] {
  const max = Math.max(...scores);
  const exps = Array.from(scores, (value) => Math.exp(value - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

const files = readdirSync(photosDir).sort();
const photos = await Promise.all(files.map((file) => readImage(path.join(photosDir, file), { precision: 'float32' })));
const results: Record<string, unknown>[] = [];

for (const id of modelIds) {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'acsr-models-bench-'));
  try {
    let model!: TfImageModel;
    const coldMs = await timeMs(async () => (model = await loadTfImageModel(id, { cacheDir })));
    model.dispose();
    const warmMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      warmMs.push(await timeMs(async () => (model = await loadTfImageModel(id, { cacheDir }))));
      if (run < runs - 1) model.dispose();
    }
    const inputs = atModelSize(model, photos.slice(0, 8));
    await model.scores(inputs.slice(0, 1)); // first-call kernel set-up is not what a user waits for per image
    const extract1: number[] = [];
    const scores1: number[] = [];
    const extract8: number[] = [];
    for (let run = 0; run < runs; run++) {
      extract1.push(await timeMs(() => model.extract(inputs.slice(0, 1))));
      scores1.push(await timeMs(() => model.scores(inputs.slice(0, 1))));
      extract8.push((await timeMs(() => model.extract(inputs))) / inputs.length);
    }
    const gradientMs = (weightsToo: boolean) =>
      timeMs(async () => {
        const pixels = tf.tensor4d(inputs[0].data as Float32Array, [1, model.inputSize.height, model.inputSize.width, 3]);
        const objective = ({ scores }: { scores: tf.Tensor2D }) => tf.sum(tf.slice(scores, [0, 2], [1, 1])) as tf.Scalar;
        const gradient = weightsToo
          ? tf.grad((x: tf.Tensor) => objective(model.forward(x as tf.Tensor4D)))(pixels)
          : objectiveAndPixelGradient(model, pixels, objective).gradient;
        await gradient.data();
        tf.dispose([pixels, gradient]);
      });
    await gradientMs(false); // installs the gradient kernels
    const inputGradient: number[] = [];
    for (let run = 0; run < Math.min(runs, 3); run++) inputGradient.push(await gradientMs(false));
    const fullBackward = await gradientMs(true);
    const fullPhotoMs = (await timeMs(() => model.scores(photos))) / photos.length;
    const scores = await model.scores(photos);
    const labels = Object.fromEntries(
      files.map((file, i) => {
        const probabilities = softmax(scores[i]);
        const top = probabilities.indexOf(Math.max(...probabilities));
        return [file, `${model.classNames[top]} ${probabilities[top].toFixed(3)}`];
      }),
    );
    const row = {
      id,
      backend: model.identity.backend,
      input: `${model.inputSize.height}x${model.inputSize.width}`,
      loadColdMs: Math.round(coldMs),
      loadWarmMs: Math.round(median(warmMs)),
      extractMsBatch1: Math.round(median(extract1)),
      scoresMsBatch1: Math.round(median(scores1)),
      extractMsPerImageBatch8: Math.round(median(extract8)),
      scoresMsPerFullSizePhoto: Math.round(fullPhotoMs),
      inputGradientMs: Math.round(median(inputGradient)),
      backwardWithWeightGradientsMs: Math.round(fullBackward),
      labels,
    };
    model.dispose();
    results.push(row);
    console.log(
      `\n${id} on ${row.backend} (${row.input}): load cold ${row.loadColdMs} ms, warm ${row.loadWarmMs} ms; ` +
        `extract ${row.extractMsBatch1} ms, scores ${row.scoresMsBatch1} ms per image at batch 1; ` +
        `extract ${row.extractMsPerImageBatch8} ms per image at batch 8; ${row.scoresMsPerFullSizePhoto} ms per full-size photo incl. resize; ` +
        `input gradient ${row.inputGradientMs} ms, backward with weight gradients ${row.backwardWithWeightGradientsMs} ms`,
    );
    for (const [file, label] of Object.entries(labels)) console.log(`  ${file.padEnd(32)} ${label}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({ tfjs: tf.version.tfjs, runs, results }));
