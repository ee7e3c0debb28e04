/**
 * A trained baseline CNN on disk: a tfjs-files model folder (model.json + weights.bin, what
 * model.save() writes and tf.loadLayersModel reads) beside its own registry.json and a training
 * report, written to a temporary sibling and renamed into place, so a cancelled or failed run
 * never leaves a folder that looks complete. The registry entry carries the SHA-256 of the
 * weights, which every later load checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../../errors/user-input-error.ts';
import { BASELINE_LATENT_LAYER, BASELINE_LOGITS_LAYER } from './baseline-cnn.ts';
import { sha256 } from './model-files.ts';
import type { ModelEntry } from './model-registry.ts';

export interface SavedBaselineModel {
  folder: string;
  modelJsonPath: string;
  /** registry.json inside the folder: loadModelRegistry(it) registers the model wherever the folder goes. */
  registryFile: string;
  entry: ModelEntry;
}

/** `fmnist-baseline-cnn-<first 12 hex of the weight hash>`: the id names the exact weights. */
export function baselineModelId(weightSha256: string, prefix = 'fmnist-baseline-cnn'): string {
  return `${prefix}-${weightSha256.slice(0, 12)}`;
}

export async function saveBaselineModel(
  model: tf.LayersModel,
  target: { folder: string } | { parent: string },
  description: { classNames: readonly string[]; summary: string; report: Record<string, unknown>; idPrefix?: string },
): Promise<SavedBaselineModel> {
  const artifacts = await captureArtifacts(model);
  const weights = new Uint8Array(joinWeightData(artifacts.weightData!));
  const weightSha256 = sha256(weights);
  const id = baselineModelId(weightSha256, description.idPrefix);
  const folder = 'folder' in target ? path.resolve(target.folder) : path.resolve(target.parent, id);
  if (existsSync(folder)) {
    // The same seed and data give the same weights, hence the same id: the folder already holds this very model.
    const existing = 'parent' in target ? readSavedEntry(folder) : undefined;
    if (existing?.weightSha256 === weightSha256) {
      return { folder, modelJsonPath: path.join(folder, 'model.json'), registryFile: path.join(folder, 'registry.json'), entry: existing };
    }
    throw new UserInputError(`${folder} already exists (choose a new folder for the trained model)`);
  }
  const [, height, width, channels] = model.inputs[0].shape as number[];
  const latentDimension = model.getLayer(BASELINE_LATENT_LAYER).outputShape.at(-1) as number;
  const entry: ModelEntry = {
    id,
    description: description.summary,
    source: { kind: 'tfjs-files', modelJson: 'model.json' },
    format: 'layers',
    input: { height, width, channels: channels as 1 },
    preprocessing: { resize: 'bilinear', alignCorners: false, pixelScale: 1, pixelOffset: 0, note: 'greyscale in [0, 1], as trained; other sizes are resized bilinearly' },
    classNames: [...description.classNames],
    scores: { node: BASELINE_LOGITS_LAYER, kind: 'logits' },
    latent: { node: BASELINE_LATENT_LAYER, dimension: latentDimension, note: 'dense layer after the convolutions, ReLU, before dropout' },
    weightSha256,
  };
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  await mkdir(path.dirname(folder), { recursive: true });
  const temp = `${folder}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(temp);
  try {
    await writeFile(path.join(temp, 'weights.bin'), weights);
    await writeFile(path.join(temp, 'model.json'), JSON.stringify(modelJson));
    await writeFile(path.join(temp, 'registry.json'), `${JSON.stringify({ registryVersion: 1, models: [entry] }, null, 2)}\n`);
    await writeFile(path.join(temp, 'training-report.json'), `${JSON.stringify({ id, weightSha256, ...description.report }, null, 2)}\n`);
    await rename(temp, folder);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return { folder, modelJsonPath: path.join(folder, 'model.json'), registryFile: path.join(folder, 'registry.json'), entry };
}

function readSavedEntry(folder: string): ModelEntry | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(folder, 'registry.json'), 'utf8')) as { models: ModelEntry[] }).models[0];
  } catch {
    return undefined;
  }
}

/** What model.save() would write, kept in memory (also used by robust training to save f_rob). */
export async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!captured?.weightData || !captured.weightSpecs) throw new Error('model.save() gave no weights');
  return captured;
}

/** The weight shards as one buffer, in manifest order (the bytes weightSha256 covers). */
export function joinWeightData(data: tf.io.WeightData): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((sum, part) => sum + part.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of data) {
    joined.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return joined.buffer;
}
