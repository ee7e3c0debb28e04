/**
 * A small stage-ii setting on real Fashion-MNIST images for the robust-training tests: a narrow
 * baseline CNN trained one epoch on the first images, one cluster per class estimated (Ledoit-Wolf,
 * fewer images than latent dimensions, as in real bundles) from its clean latents, each image's
 * clean cluster = its class's. Small enough for a shared 2-core machine.
 */
import * as tf from '@tensorflow/tfjs';
import { attackableLayersModel } from '../../main/acsr/attacks/layers-model-classifier.ts';
import { projectedGradientDescent } from '../../main/acsr/attacks/pgd.ts';
import { estimateClusterDistribution } from '../../main/acsr/clustering/cluster-distribution.ts';
import { latentMatrix } from '../../main/acsr/clustering/latent-matrix.ts';
import { BASELINE_LATENT_LAYER, BASELINE_LOGITS_LAYER, buildBaselineCnn, trainBaselineCnn } from '../../main/acsr/models/baseline-cnn.ts';
import { fashionMnistPixels } from '../../main/acsr/models/baseline-cnn-data.ts';
import { initTfBackend } from '../../main/acsr/models/tf-backend.ts';
import { clusterPrecisionTensors, type ClusterPrecisionTensors } from '../../main/acsr/robust/cluster-precision-tensors.ts';
import { meanMahalanobisDistance } from '../../main/acsr/robust/mahalanobis-loss.ts';
import type { PgdSettings, RobustNetwork } from '../../main/acsr/robust/robust-training.ts';
import type { RobustTrainingSet } from '../../main/acsr/robust/robust-training-set.ts';
import { trainablePlan } from '../../main/acsr/robust/trainable-variables.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

export const TINY_SHAPE = { height: 28, width: 28, classes: 10, filters: [8, 16] as [number, number], latentDimension: 32, dropout: 0.25 };

export interface TinySetting {
  readonly set: RobustTrainingSet;
  readonly clusterOfImage: Int32Array;
  readonly clusters: ClusterPrecisionTensors;
  /** the trained baseline's weights, to start every run from */
  readonly baselineWeights: tf.Tensor[];
}

export async function tinySetting(images: number): Promise<TinySetting> {
  await initTfBackend();
  const pixels = await fashionMnistPixels(fashionMnistDir, 'train', images);
  const model = buildBaselineCnn(TINY_SHAPE, 0);
  await trainBaselineCnn(model, pixels, { epochs: 1, batchSize: 32, learningRate: 2e-3, seed: 0 });
  const latentModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(BASELINE_LATENT_LAYER).output as tf.SymbolicTensor });
  const latents = tf.tidy(() => latentModel.predict(tf.tensor4d(pixels.pixels, [pixels.count, 28, 28, 1])) as tf.Tensor2D);
  const rows = await latents.array();
  latents.dispose();
  const distributions = Array.from({ length: 10 }, (_, c) =>
    estimateClusterDistribution(latentMatrix(rows.filter((_, n) => pixels.labels[n] === c)), 'ledoit-wolf'),
  );
  const labels = Int32Array.from(pixels.labels);
  const set: RobustTrainingSet = {
    count: pixels.count,
    height: 28,
    width: 28,
    channels: 1,
    pixels: pixels.pixels,
    labels,
    names: Array.from({ length: pixels.count }, (_, i) => `train[${i}]`),
    description: `first ${pixels.count}`,
    sha256: 'test',
  };
  const baselineWeights = model.getWeights().map((w) => w.clone());
  model.dispose();
  return { set, clusterOfImage: labels, clusters: clusterPrecisionTensors(distributions), baselineWeights };
}

/** A fresh network with the baseline's weights (as a new process resuming would build it). */
export function baselineNetwork(setting: TinySetting): RobustNetwork {
  const network = buildBaselineCnn(TINY_SHAPE, 0);
  network.setWeights(setting.baselineWeights);
  const heads = tf.model({
    inputs: network.inputs,
    outputs: [network.getLayer(BASELINE_LOGITS_LAYER).output as tf.SymbolicTensor, network.getLayer(BASELINE_LATENT_LAYER).output as tf.SymbolicTensor],
  });
  return { network, heads, plan: trainablePlan(network, 'all') };
}

/** mean MD of the latents of PGD examples (made against `net`, fixed seed) to their clean clusters. */
export async function attackedMeanDistance(net: RobustNetwork, setting: TinySetting, pgd: PgdSettings): Promise<number> {
  const { set } = setting;
  const { adversarial } = await projectedGradientDescent(pgd.norm, pgd, {
    classifier: attackableLayersModel(net.network),
    images: { count: set.count, height: 28, width: 28, channels: 1, data: set.pixels },
    labels: set.labels,
    seed: 7,
  });
  const value = tf.tidy(() => {
    const [, latent] = net.heads.apply(tf.tensor4d(adversarial.data, [set.count, 28, 28, 1]), { training: false }) as tf.Tensor[];
    return meanMahalanobisDistance(latent as tf.Tensor2D, setting.clusterOfImage, setting.clusters);
  });
  const mean = (await value.data())[0];
  value.dispose();
  return mean;
}

export async function weightBytes(network: tf.LayersModel): Promise<Uint8Array[]> {
  return Promise.all(network.getWeights().map(async (w) => new Uint8Array((await w.data<'float32'>()).slice().buffer)));
}
