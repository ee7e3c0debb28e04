/**
 * Model files on disk, verified. nsfwjs ships its models as base64 JavaScript modules, which are
 * slow to import through its loader; they are converted once to a plain model.json + weights.bin
 * under the model cache and read from there afterwards. Every load hashes the weight bytes and
 * refuses a mismatch with the registry: a classifier whose weights were altered (or whose cache was
 * corrupted) must not silently produce evidence.
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../io/hashing.ts';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { io } from '@tensorflow/tfjs';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { ModelEntry, ModelRegistry } from './model-registry.ts';

export const CACHE_DIR_ENV = 'ACSR_CACHE_DIR';

export interface VerifiedModelFiles {
  artifacts: io.ModelArtifacts;
  weightSha256: string;
  /** The model.json the artifacts were read from. */
  modelJsonPath: string;
  /** True when this call converted the packaged model into the cache. */
  converted: boolean;
}

/** `$ACSR_CACHE_DIR/models`, else `<repo>/.cache/models` (git-ignored). */
export function defaultModelCacheDir(): string {
  const base = process.env[CACHE_DIR_ENV] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.cache');
  return path.join(base, 'models');
}

export async function loadVerifiedModelFiles(
  entry: ModelEntry,
  registry: ModelRegistry,
  options: { cacheDir?: string } = {},
): Promise<VerifiedModelFiles> {
  if (entry.source.kind === 'tfjs-files') {
    const modelJsonPath = path.resolve(path.dirname(registry.file), entry.source.modelJson);
    return { ...(await readTfjsModelFiles(modelJsonPath, entry)), modelJsonPath, converted: false };
  }
  const cacheFolder = path.join(options.cacheDir ?? defaultModelCacheDir(), `${entry.id}-${entry.weightSha256.slice(0, 16)}`);
  const modelJsonPath = path.join(cacheFolder, 'model.json');
  let converted = false;
  if (!existsSync(modelJsonPath)) {
    await convertNsfwjsModel(entry, cacheFolder);
    converted = true;
  }
  return { ...(await readTfjsModelFiles(modelJsonPath, entry)), modelJsonPath, converted };
}

/** Reads a tfjs model.json and its weight shards, and checks the weights against the registry. */
async function readTfjsModelFiles(modelJsonPath: string, entry: ModelEntry): Promise<{ artifacts: io.ModelArtifacts; weightSha256: string }> {
  let modelJson: any;
  try {
    modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  } catch (error) {
    throw new UserInputError(`model '${entry.id}': cannot read ${modelJsonPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const manifest: io.WeightsManifestConfig = modelJson.weightsManifest ?? [];
  const folder = path.dirname(modelJsonPath);
  const shards: Uint8Array[] = [];
  for (const group of manifest) {
    for (const shardPath of group.paths) {
      const shardFile = path.join(folder, shardPath);
      shards.push(
        await readFile(shardFile).catch((error: NodeJS.ErrnoException) => {
          throw new UserInputError(`model '${entry.id}': cannot read weight file ${shardFile} (${error.code ?? error.message})`);
        }),
      );
    }
  }
  const weightData = concatBytes(shards);
  const weightSha256 = sha256Hex(weightData);
  if (weightSha256 !== entry.weightSha256) {
    throw new UserInputError(
      `model '${entry.id}': weights in ${folder} hash to ${weightSha256}, but the registry expects ${entry.weightSha256}; ` +
        'the files are corrupt or were changed (delete that folder to rebuild a cached conversion)',
    );
  }
  const artifacts: io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    weightSpecs: manifest.flatMap((group) => group.weights),
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
    ...(modelJson.format !== undefined ? { format: modelJson.format } : {}),
    ...(modelJson.generatedBy !== undefined ? { generatedBy: modelJson.generatedBy } : {}),
    ...(modelJson.convertedBy !== undefined ? { convertedBy: modelJson.convertedBy } : {}),
    ...(modelJson.userDefinedMetadata !== undefined ? { userDefinedMetadata: modelJson.userDefinedMetadata } : {}),
    ...(modelJson.signature !== undefined ? { signature: modelJson.signature } : {}),
  };
  return { artifacts, weightSha256 };
}

/**
 * The packaged modules are UMD bundles whose export is the model.json object or a shard's bytes as
 * base64; requiring them directly and decoding with Buffer takes well under a second, unlike
 * nsfwjs's own character-by-character decoder.
 */
async function convertNsfwjsModel(entry: ModelEntry, cacheFolder: string): Promise<void> {
  if (entry.source.kind !== 'nsfwjs') throw new Error('not an nsfwjs source');
  const { package: packageName, packageVersion, modelFolder } = entry.source;
  const require = createRequire(import.meta.url);
  const packageRoot = installedPackageRoot(packageName, entry.id);
  const installedVersion = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;
  if (installedVersion !== packageVersion) {
    throw new UserInputError(
      `model '${entry.id}': registered from ${packageName}@${packageVersion}, but ${installedVersion} is installed`,
    );
  }
  const sourceFolder = path.join(packageRoot, 'dist', 'models', modelFolder);
  const packaged = unwrapDefault(require(path.join(sourceFolder, 'model.min.js'))) as any;
  const manifest: io.WeightsManifestConfig = packaged.weightsManifest;
  const shards = manifest.flatMap((group) =>
    group.paths.map((shardName) => {
      const base64 = unwrapDefault(require(path.join(sourceFolder, `${shardName}.min.js`)));
      if (typeof base64 !== 'string') throw new Error(`${sourceFolder}/${shardName}.min.js does not export a base64 string`);
      return Buffer.from(base64, 'base64');
    }),
  );
  const weights = concatBytes(shards);
  const weightSha256 = sha256Hex(weights);
  if (weightSha256 !== entry.weightSha256) {
    throw new UserInputError(
      `model '${entry.id}': the weights packaged in ${sourceFolder} hash to ${weightSha256}, not the registered ${entry.weightSha256}`,
    );
  }

  const modelJson = {
    ...packaged,
    weightsManifest: [{ paths: ['weights.bin'], weights: manifest.flatMap((group) => group.weights) }],
    convertedFrom: { package: `${packageName}@${installedVersion}`, modelFolder, weightSha256 },
  };
  // Built in a sibling temp folder and renamed into place, so a crash or a concurrent conversion
  // never leaves a half-written cache entry that a later load would take for a complete one.
  await mkdir(path.dirname(cacheFolder), { recursive: true });
  const tempFolder = `${cacheFolder}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(tempFolder);
  try {
    await writeFile(path.join(tempFolder, 'weights.bin'), weights);
    await writeFile(path.join(tempFolder, 'model.json'), JSON.stringify(modelJson));
    await rename(tempFolder, cacheFolder);
  } catch (error) {
    await rm(tempFolder, { recursive: true, force: true });
    // Another process finished the same conversion first: its result is equally valid.
    if (existsSync(path.join(cacheFolder, 'model.json'))) return;
    throw error;
  }
}

/** The package's exports map hides package.json, so resolve its entry point and walk up. */
function installedPackageRoot(packageName: string, modelId: string): string {
  const require = createRequire(import.meta.url);
  let folder: string;
  try {
    folder = path.dirname(require.resolve(packageName));
  } catch {
    throw new UserInputError(`model '${modelId}': package ${packageName} is not installed`);
  }
  for (;;) {
    const manifest = path.join(folder, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === packageName) return folder;
    const parent = path.dirname(folder);
    if (parent === folder) throw new UserInputError(`model '${modelId}': cannot locate ${packageName}'s package.json`);
    folder = parent;
  }
}

function unwrapDefault(moduleValue: unknown): unknown {
  const value = moduleValue as { default?: unknown } | undefined;
  return value && typeof value === 'object' && 'default' in value ? value.default : value;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
