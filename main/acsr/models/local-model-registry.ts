/**
 * Models trained on this machine (the baseline CNN of `acsr train --train-baseline`) are registered
 * in a second registry file under the model cache, `<cache>/models/local-registry.json`, never in
 * the shipped models/registry.json (which is versioned and reviewed). Loading a model by id looks
 * in the shipped registry first and then here, so a bundle whose manifest names a locally trained
 * extractor purifies like any other; the weight hash in the entry still guards the files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultModelCacheDir } from './model-files.ts';
import { loadModelRegistry, type ModelEntry, type ModelRegistry } from './model-registry.ts';

export const LOCAL_REGISTRY_FILE_NAME = 'local-registry.json';

export function localRegistryFile(cacheDir: string = defaultModelCacheDir()): string {
  return path.join(cacheDir, LOCAL_REGISTRY_FILE_NAME);
}

/** The shipped registry when it has `id`, else the local one when that has it, else the shipped one (whose lookup then reports the unknown id). */
export function registryHolding(id: string, cacheDir?: string): ModelRegistry {
  const shipped = loadModelRegistry();
  if (shipped.models.some((model) => model.id === id)) return shipped;
  const localFile = localRegistryFile(cacheDir);
  if (existsSync(localFile)) {
    const local = loadModelRegistry(localFile);
    if (local.models.some((model) => model.id === id)) return local;
  }
  return shipped;
}

/**
 * Adds (or replaces, same id) an entry in the local registry. A tfjs-files entry's modelJson is
 * made relative to the registry file, as the schema requires. Written to a temporary file and
 * renamed, so a reader never sees half a registry.
 */
export async function registerLocalModel(entry: ModelEntry, modelJsonPath: string, cacheDir: string = defaultModelCacheDir()): Promise<ModelRegistry> {
  const file = localRegistryFile(cacheDir);
  const existing = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { models?: ModelEntry[] }).models ?? [] : [];
  const relative = path.relative(path.dirname(file), path.resolve(modelJsonPath)).split(path.sep).join('/');
  const registered: ModelEntry = { ...entry, source: { kind: 'tfjs-files', modelJson: relative } };
  const models = [...existing.filter((model) => model.id !== entry.id), registered];
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify({ registryVersion: 1, models }, null, 2)}\n`);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // Read back through the schema, so an entry the loader would refuse fails here, at training time.
  return loadModelRegistry(file);
}
