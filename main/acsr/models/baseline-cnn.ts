/**
 * The baseline CNN for small greyscale images (Fashion-MNIST): a latent extractor trained here when
 * no registered model suits the data. It is an ordinary
 * tfjs Layers model whose last layer gives logits, so the attacks can take input
 * gradients through it and robust fine-tuning can train it further.
 *
 * Architecture: conv3x3(c1)-pool-conv3x3(c2)-pool-dense(latent)-dense(classes). Two convolutions
 * rather than the usual four: by multiply-adds the four-convolution net costs ~4x more per image,
 * and on this 2-core wasm machine one epoch of this one already takes ~3 minutes, while
 * `acsr train` must stay within 15 minutes. Per batch, the dense layer's matmul and the wasm
 * MaxPoolGrad take about as long as the convolution gradients (tf.profile, batch 64).
 */
import * as tf from '@tensorflow/tfjs';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { deriveSeed, shuffledIndices } from '../random/seeded-random.ts';

export const BASELINE_LATENT_LAYER = 'latent';
export const BASELINE_LOGITS_LAYER = 'logits';

export interface BaselineCnnShape {
  height: number;
  width: number;
  classes: number;
  filters: [number, number];
  latentDimension: number;
  dropout: number;
}

export const DEFAULT_BASELINE_SHAPE: BaselineCnnShape = Object.freeze({
  height: 28, width: 28, classes: 10, filters: [32, 64], latentDimension: 128, dropout: 0.25,
}) as BaselineCnnShape;

export interface BaselineTrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_BASELINE_TRAINING: BaselineTrainingOptions = Object.freeze({
  // Measured here (wasm, seed 0, all 60,000 training images): test accuracy 86.5%, 89.0%, 90.3% after
  // epochs 1-3 at ~3 minutes each, so three epochs reach the 90% aim within `acsr train`'s 15 minutes.
  epochs: 3, batchSize: 64, learningRate: 1e-3, seed: 0,
});

/** Images as one [N, h, w, 1] float block in [0, 1], with their labels. */
export interface PixelSet {
  pixels: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  accuracy: number;
  seconds: number;
}

/** Layer weights initialised from `seed`, so that a seeded training repeats. */
export function buildBaselineCnn(shape: BaselineCnnShape, seed: number): tf.LayersModel {
  let stream = 0;
  const init = () => tf.initializers.glorotUniform({ seed: deriveSeed(seed, 100 + stream++) });
  const conv = (filters: number, name: string) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name });
  const input = tf.input({ shape: [shape.height, shape.width, 1], name: 'pixels' });
  let x = conv(shape.filters[0], 'conv1').apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = conv(shape.filters[1], 'conv2').apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: shape.dropout, seed: deriveSeed(seed, 1), name: 'dropout1' }).apply(x) as tf.SymbolicTensor;
  // R(x): the penultimate representation, taken after its ReLU and before the second dropout.
  const latent = tf.layers.dense({ units: shape.latentDimension, activation: 'relu', kernelInitializer: init(), name: BASELINE_LATENT_LAYER }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: shape.dropout, seed: deriveSeed(seed, 2), name: 'dropout2' }).apply(latent) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: shape.classes, kernelInitializer: init(), name: BASELINE_LOGITS_LAYER }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'baseline_cnn' });
}

/**
 * Adam on softmax cross-entropy, mini-batches in a seeded shuffle per epoch. Reports per batch
 * (fraction, running loss/accuracy) and per epoch; cancellation is checked between batches.
 */
export async function trainBaselineCnn(
  model: tf.LayersModel,
  data: PixelSet,
  options: BaselineTrainingOptions,
  control: { progress?: ProgressReporter; signal?: AbortSignal; afterEpoch?: (report: EpochReport) => Promise<void> | void } = {},
): Promise<EpochReport[]> {
  const progress = control.progress ?? silentProgress;
  const { height, width } = inputSize(model);
  const pixelsPerImage = height * width;
  if (data.pixels.length !== data.count * pixelsPerImage) throw new Error(`pixel block holds ${data.pixels.length} values, expected ${data.count} x ${pixelsPerImage}`);
  const optimizer = tf.train.adam(options.learningRate);
  const batchesPerEpoch = Math.ceil(data.count / options.batchSize);
  const history: EpochReport[] = [];
  const classes = (model.outputs[0].shape.at(-1) as number);
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const started = performance.now();
      const order = shuffledIndices(data.count, deriveSeed(options.seed, 10_000 + epoch));
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        throwIfCancelled(control.signal);
        const indices = order.subarray(b * options.batchSize, Math.min((b + 1) * options.batchSize, data.count));
        const { x, y } = gatherBatch(data, indices, pixelsPerImage, height, width, classes);
        let hits: tf.Scalar | undefined;
        const loss = optimizer.minimize(() => {
          const logits = model.apply(x, { training: true }) as tf.Tensor2D;
          hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'))) as tf.Scalar;
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, true) as tf.Scalar;
        // Reading the numbers back every batch also keeps the queue of pending wasm work short.
        const [lossValue, hitCount] = await Promise.all([loss.data(), hits!.data()]);
        tf.dispose([x, y, loss, hits!]);
        lossSum += lossValue[0] * indices.length;
        correct += hitCount[0];
        const seen = Math.min((b + 1) * options.batchSize, data.count);
        progress.report({
          stage: 'train',
          fraction: (epoch + (b + 1) / batchesPerEpoch) / options.epochs,
          message: `epoch ${epoch + 1}/${options.epochs}, batch ${b + 1}/${batchesPerEpoch}`,
          metrics: { loss: lossSum / seen, accuracy: correct / seen },
        });
        // Let timers and signal handlers run (Ctrl-C, the desktop's cancel) between batches.
        if (b % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
      }
      const report = { epoch: epoch + 1, loss: lossSum / data.count, accuracy: correct / data.count, seconds: (performance.now() - started) / 1000 };
      history.push(report);
      await control.afterEpoch?.(report);
      progress.report({
        stage: 'train',
        fraction: (epoch + 1) / options.epochs,
        message: `epoch ${epoch + 1}/${options.epochs}: loss ${report.loss.toFixed(4)}, accuracy ${(100 * report.accuracy).toFixed(2)}% (${report.seconds.toFixed(1)} s)`,
        metrics: { loss: report.loss, accuracy: report.accuracy, epochLoss: history.map((h) => h.loss), epochAccuracy: history.map((h) => h.accuracy) },
      });
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}

/** Top-1 accuracy (and the predicted labels) of the model on a pixel set, in inference mode. */
export async function evaluateBaselineCnn(
  model: tf.LayersModel,
  data: PixelSet,
  control: { signal?: AbortSignal; batchSize?: number } = {},
): Promise<{ accuracy: number; predictions: Uint8Array }> {
  const { height, width } = inputSize(model);
  const pixelsPerImage = height * width;
  const batchSize = control.batchSize ?? 500;
  const predictions = new Uint8Array(data.count);
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    throwIfCancelled(control.signal);
    const end = Math.min(start + batchSize, data.count);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(data.pixels.subarray(start * pixelsPerImage, end * pixelsPerImage), [end - start, height, width, 1]);
      return tf.argMax(model.predict(x) as tf.Tensor2D, 1);
    });
    const labels = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < labels.length; i++) {
      predictions[start + i] = labels[i];
      if (labels[i] === data.labels[start + i]) correct++;
    }
  }
  return { accuracy: data.count === 0 ? 0 : correct / data.count, predictions };
}

function inputSize(model: tf.LayersModel): { height: number; width: number } {
  const [, height, width, channels] = model.inputs[0].shape;
  if (channels !== 1 || typeof height !== 'number' || typeof width !== 'number') throw new Error('the baseline CNN takes fixed-size one-channel images');
  return { height, width };
}

function gatherBatch(
  data: PixelSet, indices: Uint32Array, pixelsPerImage: number, height: number, width: number, classes: number,
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const pixels = new Float32Array(indices.length * pixelsPerImage);
  const oneHot = new Float32Array(indices.length * classes);
  indices.forEach((index, row) => {
    pixels.set(data.pixels.subarray(index * pixelsPerImage, (index + 1) * pixelsPerImage), row * pixelsPerImage);
    oneHot[row * classes + data.labels[index]] = 1;
  });
  return { x: tf.tensor4d(pixels, [indices.length, height, width, 1]), y: tf.tensor2d(oneHot, [indices.length, classes]) };
}
