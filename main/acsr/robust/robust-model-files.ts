/**
 * f_rob on disk: a tfjs-files model folder (model.json, weights.bin, registry.json, a training
 * report), written under a temporary name and renamed, with the SHA-256 of its weights in its
 * registry entry, like the baseline CNN's folder (models/baseline-cnn-files.ts). The entry copies
 * the initial model's input, preprocessing, class names and output nodes; the scores are plain
 * logits now (a stripped softmax was stripped in the saved topology itself).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../../errors/user-input-error.ts';
import { captureArtifacts, joinWeightData, type SavedBaselineModel } from '../models/baseline-cnn-files.ts';
import { sha256 } from '../models/model-files.ts';
import type { ModelEntry } from '../models/model-registry.ts';

/** '<initial id without an earlier -robust-... suffix>-robust-<first 12 hex of the weight hash>' */
export function robustModelId(initialId: string, weightSha256: string): string {
  return `${initialId.replace(/-robust-[0-9a-f]{12}$/, '')}-robust-${weightSha256.slice(0, 12)}`;
}

export async function saveRobustModel(
  network: tf.LayersModel,
  initial: ModelEntry,
  target: { folder: string } | { parent: string },
  description: { summary: string; report: Record<string, unknown> },
): Promise<SavedBaselineModel> {
  const artifacts = await captureArtifacts(network);
  const weights = new Uint8Array(joinWeightData(artifacts.weightData!));
  const weightSha256 = sha256(weights);
  const id = robustModelId(initial.id, weightSha256);
  const folder = 'folder' in target ? path.resolve(target.folder) : path.resolve(target.parent, id);
  if (existsSync(folder)) {
    // a resumed run that had finished training reproduces the same weights, hence the same id
    const existing = 'parent' in target ? readSavedEntry(folder) : undefined;
    if (existing?.weightSha256 === weightSha256) {
      return { folder, modelJsonPath: path.join(folder, 'model.json'), registryFile: path.join(folder, 'registry.json'), entry: existing };
    }
    throw new UserInputError(`${folder} already exists (choose a new folder for the trained model)`);
  }
  const entry: ModelEntry = {
    ...initial,
    id,
    description: description.summary,
    source: { kind: 'tfjs-files', modelJson: 'model.json' },
    format: 'layers',
    scores: { node: initial.scores.node, kind: 'logits' },
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
