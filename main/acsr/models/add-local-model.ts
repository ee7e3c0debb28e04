/**
 * Registers a model folder that was trained elsewhere (a stage-ii f_rob or a baseline CNN kept
 * beside published results, or handed over by a colleague) so that bundles naming its id purify
 * here. The folder holds what training wrote: model.json, its weight shards and a registry.json
 * with the one entry. The weights are checked against the entry's SHA-256 before anything is
 * copied, and the copy in the model cache is what gets registered, so the source folder may move.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { defaultModelCacheDir, loadVerifiedModelFiles } from './model-files.ts';
import { registerLocalModel } from './local-model-registry.ts';
import { loadModelRegistry, type ModelEntry } from './model-registry.ts';

export const MODEL_FOLDER_REGISTRY = 'registry.json';

export interface AddedModel {
  readonly entry: ModelEntry;
  readonly folder: string;
  /** false when the same id with the same weights was registered already */
  readonly added: boolean;
}

export async function addLocalModel(source: string, cacheDir: string = defaultModelCacheDir()): Promise<AddedModel> {
  const registryFile = path.join(source, MODEL_FOLDER_REGISTRY);
  if (!existsSync(registryFile)) throw new UserInputError(`${source}: not a model folder (no ${MODEL_FOLDER_REGISTRY} beside model.json)`);
  const registry = loadModelRegistry(registryFile);
  if (registry.models.length !== 1) throw new UserInputError(`${registryFile}: a model folder describes exactly one model, this one ${registry.models.length}`);
  const [entry] = registry.models;
  if (entry.source.kind !== 'tfjs-files') throw new UserInputError(`${registryFile}: '${entry.id}' is not stored as TensorFlow.js files`);
  const shipped = loadModelRegistry();
  if (shipped.models.some((model) => model.id === entry.id)) throw new UserInputError(`'${entry.id}' is a model shipped with the workstation; nothing to add`);
  // refuses corrupt or altered weights before anything is copied
  await loadVerifiedModelFiles(entry, registry);

  const folder = path.join(cacheDir, entry.id);
  const existing = existsSync(path.join(folder, 'model.json'));
  if (existing) {
    const same = await loadVerifiedModelFiles(entry, { ...registry, file: path.join(folder, MODEL_FOLDER_REGISTRY) }).then(
      () => true,
      () => false,
    );
    if (!same) throw new UserInputError(`${folder} already holds a model '${entry.id}' with other weights; remove it first`);
  } else {
    // copied whole under a temporary name and renamed: a reader never finds half a model
    const temp = `${folder}.${process.pid}.partial`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(cacheDir, { recursive: true });
    await cp(source, temp, { recursive: true });
    await rm(folder, { recursive: true, force: true });
    await rename(temp, folder);
  }
  await registerLocalModel(entry, path.join(folder, entry.source.modelJson), cacheDir);
  return { entry, folder, added: !existing };
}
