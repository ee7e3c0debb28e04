/**
 * What the renderer may choose from when it purifies: reference bundles and content filters,
 * each by an id that this side maps to a folder. The renderer is untrusted, so it never names a
 * path: a bundle id that is not in this list is refused. The list is the default bundle that
 * ships beside the model registry (models/default-bundle) plus every bundle trained into the
 * workspace's bundles/ folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defaultRegistryFile, loadModelRegistry, modelDisplayName, registeredModelName } from '../acsr/models/model-registry.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { sha256Hex } from '../io/hashing.ts';
import type { BundleChoice, ClassifierChoice } from '../ipc/contract/index.ts';

export const DEFAULT_BUNDLE_ID = 'default-bundle';
/** Where trained bundles go, inside the workspace (one folder per bundle, named by its id). */
export const TRAINED_BUNDLES_FOLDER = 'bundles';
export const DEFAULT_CLASSIFIER_ID = 'nsfwjs-mobilenet-v2';

const BUNDLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TRAINED_PREFIX = 'trained:';

/** Only what the chooser shows; loadReferenceBundle checks the whole manifest when a job uses it. */
const manifestSummarySchema = z.object({
  format: z.literal('acsr-reference-bundle'),
  extractor: z.object({ id: z.string() }),
  trainingData: z.object({ description: z.string().optional() }).optional(),
  classes: z.array(z.object({ name: z.string(), clusters: z.array(z.object({ id: z.string() })) })),
  defenseComparison: z.object({ recommendation: z.object({ defense: z.string(), sentence: z.string() }).nullable() }).optional(),
  evasionCalibration: z.object({ falsePositiveTarget: z.number() }).optional(),
});

interface KnownBundle extends BundleChoice {
  path: string;
}

export async function knownBundles(workspace: string): Promise<KnownBundle[]> {
  const bundles: KnownBundle[] = [];
  const shipped = await describeBundle(DEFAULT_BUNDLE_ID, 'Default bundle (ships with ACSR)', join(dirname(defaultRegistryFile()), 'default-bundle'));
  if (shipped) bundles.push(shipped);
  const trainedRoot = join(workspace, TRAINED_BUNDLES_FOLDER);
  const entries = await readdir(trainedRoot, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.filter((candidate) => candidate.isDirectory() && BUNDLE_NAME.test(candidate.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    const trained = await describeBundle(`${TRAINED_PREFIX}${entry.name}`, `${entry.name} (trained)`, join(trainedRoot, entry.name));
    if (trained) bundles.push(trained);
  }
  return bundles;
}

/** The folder of a bundle the renderer named by id; anything else is refused. */
export async function bundlePathOf(workspace: string, bundleId: string): Promise<KnownBundle> {
  const known = (await knownBundles(workspace)).find((bundle) => bundle.bundleId === bundleId);
  if (!known) throw new UserInputError(`the reference bundle '${bundleId}' is not installed (any more): choose one from the list`);
  return known;
}

export function knownClassifiers(): ClassifierChoice[] {
  return loadModelRegistry().models.map((model) => ({
    classifierId: model.id,
    label: modelDisplayName(model),
    description: model.description,
    classNames: [...model.classNames],
  }));
}

/** The display name of a registered model by id (the id itself when it is not registered). */
export function modelNameOf(modelId: string): string {
  return registeredModelName(modelId) ?? modelId;
}

export function checkClassifierId(classifierId: string): string {
  if (!knownClassifiers().some((choice) => choice.classifierId === classifierId)) {
    throw new UserInputError(`the model '${classifierId}' is not registered: choose one from the list`);
  }
  return classifierId;
}

async function describeBundle(bundleId: string, label: string, path: string): Promise<KnownBundle | null> {
  let manifest: z.output<typeof manifestSummarySchema>;
  let text: string;
  try {
    text = await readFile(join(path, 'manifest.json'), 'utf8');
    manifest = manifestSummarySchema.parse(JSON.parse(text));
  } catch {
    // A half-written or foreign folder is not offered; training writes bundles atomically.
    return null;
  }
  return {
    bundleId,
    label,
    path,
    // The bundle's identity as runs record it (bundle-reader hashes the manifest's text the same way).
    manifestSha256: sha256Hex(text),
    extractorId: manifest.extractor.id,
    clusterIds: manifest.classes.flatMap((entry) => entry.clusters.map((cluster) => cluster.id)),
    description: manifest.trainingData?.description ?? '',
    recommendation: manifest.defenseComparison?.recommendation ?? null,
    ...(manifest.evasionCalibration ? { evasionCheck: { falsePositiveTarget: manifest.evasionCalibration.falsePositiveTarget } } : {}),
  };
}
