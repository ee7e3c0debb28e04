/**
 * A model trained here, on disk: a tfjs-files model folder (model.json + weights.bin, what
 * model.save() writes and tf.loadLayersModel reads) beside its own registry.json and a training
 * report, written to a temporary sibling and renamed into place, so a cancelled or failed run
 * never leaves a folder that looks complete. The registry entry carries the SHA-256 of the
 * weights, which every later load checks. Both the baseline CNN (baseline-cnn-files.ts) and f_rob
 * (robust/robust-model-files.ts) are saved through here; they differ only in their id and entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../../errors/user-input-error.ts';
import { sha256Hex } from '../../io/hashing.ts';
import type { ModelEntry } from './model-registry.ts';

export interface SavedTrainedModel {
  folder: string;
  modelJsonPath: string;
  /** registry.json inside the folder: loadModelRegistry(it) registers the model wherever the folder goes. */
  registryFile: string;
  entry: ModelEntry;
}

export interface TrainedModelDescription {
  /** the model's id, named after its weights */
  id(weightSha256: string): string;
  /** its registry entry, with this id and weight hash */
  entry(id: string, weightSha256: string): ModelEntry;
  /** training-report.json holds { id, weightSha256, ...report } */
  report: Record<string, unknown>;
}

/**
 * `{ folder }` is that folder, which must not exist yet; `{ parent }` is `<parent>/<id>`, and when
 * that folder already holds these very weights (the same seed and data, or a resumed run that had
 * finished training, give the same weights, hence the same id) it is returned as it is.
 */
export async function saveTrainedModel(
  model: tf.LayersModel,
  target: { folder: string } | { parent: string },
  description: TrainedModelDescription,
): Promise<SavedTrainedModel> {
  const artifacts = await captureArtifacts(model);
  const weights = new Uint8Array(joinWeightData(artifacts.weightData!));
  const weightSha256 = sha256Hex(weights);
  const id = description.id(weightSha256);
  const folder = 'folder' in target ? path.resolve(target.folder) : path.resolve(target.parent, id);
  if (existsSync(folder)) {
    const existing = 'parent' in target ? readSavedEntry(folder) : undefined;
    if (existing?.weightSha256 === weightSha256) return savedAt(folder, existing);
    throw new UserInputError(`${folder} already exists (choose a new folder for the trained model)`);
  }
  const entry = description.entry(id, weightSha256);
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
  return savedAt(folder, entry);
}

function savedAt(folder: string, entry: ModelEntry): SavedTrainedModel {
  return { folder, modelJsonPath: path.join(folder, 'model.json'), registryFile: path.join(folder, 'registry.json'), entry };
}

function readSavedEntry(folder: string): ModelEntry | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(folder, 'registry.json'), 'utf8')) as { models: ModelEntry[] }).models[0];
  } catch {
    return undefined;
  }
}

/** What model.save() would write, kept in memory. */
async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!captured?.weightData || !captured.weightSpecs) throw new Error('model.save() gave no weights');
  return captured;
}

/** The weight shards as one buffer, in manifest order (the bytes weightSha256 covers). */
function joinWeightData(data: tf.io.WeightData): ArrayBuffer {
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
