/**
 * The model registry: one JSON file (models/registry.json) that says, for each classifier or latent
 * extractor, where its files come from, how its input is prepared, what its outputs mean and what
 * its weights hash to. Everything model-specific lives in the entry, so a team's own tfjs Layers or
 * Graph model is registered with an entry of the same shape (source kind 'tfjs-files') and no code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UserInputError } from '../../errors/user-input-error.ts';

export const MODEL_REGISTRY_ENV = 'ACSR_MODEL_REGISTRY';

const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');

const nsfwjsSource = z.object({
  kind: z.literal('nsfwjs'),
  package: z.string(),
  /** The package version the hash was taken from; a different installed version is refused. */
  packageVersion: z.string(),
  /** Folder under <package>/dist/models holding model.min.js and the group1-shard*.min.js files. */
  modelFolder: z.string(),
});

const tfjsFilesSource = z.object({
  kind: z.literal('tfjs-files'),
  /** model.json written by the tfjs converter or model.save(); relative to the registry file. */
  modelJson: z.string(),
});

const modelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash, underscore'),
  description: z.string(),
  /** What the screens call the model (the id stays in a details line); absent: the description's first words. */
  name: z.string().optional(),
  source: z.discriminatedUnion('kind', [nsfwjsSource, tfjsFilesSource]),
  format: z.enum(['layers', 'graph']),
  input: z.object({
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    channels: z.union([z.literal(1), z.literal(3)]),
  }),
  preprocessing: z.object({
    resize: z.literal('bilinear'),
    alignCorners: z.boolean(),
    /** The model sees pixel * pixelScale + pixelOffset, with pixels in [0, 1]. */
    pixelScale: z.number(),
    pixelOffset: z.number(),
    note: z.string().optional(),
  }),
  classNames: z.array(z.string()).min(1),
  scores: z.object({
    /** Layer name (layers models) or node name (graph models) whose output is the scores. */
    node: z.string(),
    kind: z.enum(['logits', 'probabilities']),
    /**
     * Layers models whose last Dense layer has a softmax built in: drop it in memory so the
     * scores are the true logits (what CW/DeepFool need, and no log(0) for confident outputs).
     */
    stripFinalActivation: z.boolean().optional(),
  }),
  latent: z.object({
    node: z.string(),
    dimension: z.number().int().positive(),
    note: z.string().optional(),
  }),
  /** SHA-256 of the weight bytes, all shards concatenated in manifest order. */
  weightSha256: sha256HexSchema,
});

const registrySchema = z.object({
  registryVersion: z.literal(1),
  models: z.array(modelEntrySchema),
});

export type ModelEntry = z.infer<typeof modelEntrySchema>;

export interface ModelRegistry {
  /** Absolute path of the registry file; tfjs-files sources are relative to its folder. */
  file: string;
  models: readonly ModelEntry[];
}

export function defaultRegistryFile(): string {
  const fromEnv = process.env[MODEL_REGISTRY_ENV];
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/registry.json');
}

export function loadModelRegistry(file: string = defaultRegistryFile()): ModelRegistry {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserInputError(`model registry ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = registrySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new UserInputError(`model registry ${file} is invalid: ${problems}`);
  }
  const ids = new Set<string>();
  for (const entry of parsed.data.models) {
    if (ids.has(entry.id)) throw new UserInputError(`model registry ${file}: duplicate id '${entry.id}'`);
    ids.add(entry.id);
  }
  return { file: path.resolve(file), models: parsed.data.models };
}

export function findModelEntry(registry: ModelRegistry, id: string): ModelEntry {
  const entry = registry.models.find((model) => model.id === id);
  if (!entry) {
    throw new UserInputError(
      `unknown model '${id}' (registered in ${registry.file}: ${registry.models.map((m) => m.id).join(', ')})`,
    );
  }
  return entry;
}

/**
 * A model as people read it: the registry's name, or its description up to the first bracket
 * ("Fashion-MNIST baseline CNN"), never the id alone (`fmnist-baseline-cnn-b25dc5da0ce9`).
 */
export function modelDisplayName(model: Pick<ModelEntry, 'id' | 'name' | 'description'>): string {
  if (model.name) return model.name;
  const firstWords = model.description.split(/[(;:]/)[0]!.trim();
  return firstWords.length > 0 && firstWords.length <= 60 ? firstWords : `Model ${model.id}`;
}

/** The display name of a registered model by id; null when the registry no longer has it (a report of an older case). */
export function registeredModelName(modelId: string): string | null {
  const model = loadModelRegistry().models.find((candidate) => candidate.id === modelId);
  return model ? modelDisplayName(model) : null;
}
