/**
 * `acsr models list`, `acsr models add` and `acsr models classify`: what classifiers/extractors are registered, and
 * what a registered classifier says about images, with the model's hash and the tfjs backend that
 * produced the numbers (both part of any result an investigator reports).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { addLocalModel } from '../../acsr/models/add-local-model.ts';
import { localRegistryFile } from '../../acsr/models/local-model-registry.ts';
import { defaultModelCacheDir } from '../../acsr/models/model-files.ts';
import { loadModelRegistry, type ModelEntry } from '../../acsr/models/model-registry.ts';
import { readImage } from '../../io/image.ts';
import { expandImageInputs } from '../../io/image-inputs.ts';
import { defineCommand, defineCommandGroup, type CommandSummary } from '../command.ts';

const modelsListCommand = defineCommand({
  name: 'list',
  summary: 'list the registered classifiers and latent extractors, shipped and trained or added here',
  description: 'Converted models are cached in $ACSR_CACHE_DIR/models (default <repo>/.cache/models); models trained or added here are registered there too.',
  options: {},
  async run({ print }) {
    const registry = loadModelRegistry();
    const cacheDir = defaultModelCacheDir();
    const localFile = localRegistryFile(cacheDir);
    const local = existsSync(localFile) ? loadModelRegistry(localFile).models : [];
    const describe = (entry: ModelEntry, origin: 'shipped' | 'local') => ({
      id: entry.id,
      origin,
      format: entry.format,
      input: entry.input,
      classNames: entry.classNames,
      latentDimension: entry.latent.dimension,
      weightSha256: entry.weightSha256,
      cached: entry.source.kind === 'tfjs-files' || existsSync(path.join(cacheDir, `${entry.id}-${entry.weightSha256.slice(0, 16)}`, 'model.json')),
      description: entry.description,
    });
    const models = [...registry.models.map((entry) => describe(entry, 'shipped')), ...local.map((entry) => describe(entry, 'local'))];
    for (const model of models) {
      print(
        `${model.id.padEnd(26)} ${model.format.padEnd(6)} ${model.input.height}x${model.input.width}x${model.input.channels}  ` +
          `latent ${String(model.latentDimension).padEnd(5)} ${model.origin === 'local' ? 'trained or added here' : model.cached ? 'cached' : 'not yet converted'}  sha256 ${model.weightSha256.slice(0, 16)}`,
      );
    }
    return { registry: registry.file, localRegistry: existsSync(localFile) ? localFile : null, cacheDir, models };
  },
});

const modelsAddCommand = defineCommand({
  name: 'add',
  summary: 'register a model folder trained elsewhere (model.json, weights, registry.json), its weights checked',
  description:
    'Takes a folder as stage ii (train-robust) or train --train-baseline writes it: model.json, its weight files and a ' +
    'registry.json describing the one model. The weights must hash to the SHA-256 in registry.json; the folder is then ' +
    'copied into the model cache and registered there, so that bundles naming the model load it. Adding the same model ' +
    'again changes nothing.',
  examples: ['acsr models add --folder docs/results/fashion-mnist-robust-extractor-10000-plus10'],
  options: {
    folder: { type: 'string', required: true, valueName: 'DIR', description: 'the model folder' },
  },
  async run({ options, print }) {
    const added = await addLocalModel(options.folder);
    print(`${added.entry.id}: ${added.added ? 'added' : 'already registered'} (${added.folder}, weights sha256 ${added.entry.weightSha256.slice(0, 16)})`);
    return { id: added.entry.id, weightSha256: added.entry.weightSha256, folder: added.folder, added: added.added };
  },
});

const modelsClassifyCommand = defineCommand({
  name: 'classify',
  summary: 'classify images with a registered classifier (probabilities per class)',
  examples: ['acsr models classify --model nsfwjs-inception-v3 --in photos/'],
  options: {
    model: { type: 'string', required: true, description: 'registered model id (see acsr models list)', valueName: 'ID' },
    in: { type: 'string', multiple: true, required: true, description: 'image files or folders', valueName: 'FILES|DIR' },
  },
  async run({ options, print, progress, signal }) {
    // Loaded on demand so that `acsr --help` does not start TensorFlow.js.
    const { loadTfImageModel } = await import('../../acsr/models/tf-image-model.ts');
    const files = await expandImageInputs(options.in);
    // The model cache is $ACSR_CACHE_DIR/models (default <repo>/.cache/models).
    const model = await loadTfImageModel(options.model);
    try {
      const images: { file: string; top: string; probabilities: Record<string, number>; scores: number[] }[] = [];
      const started = performance.now();
      for (const [index, file] of files.entries()) {
        signal.throwIfAborted();
        const [scores] = await model.scores([await readImage(file, { precision: 'float32' })]);
        const probabilities = softmax(scores);
        const best = probabilities.indexOf(Math.max(...probabilities));
        images.push({
          file,
          top: model.classNames[best],
          probabilities: Object.fromEntries(model.classNames.map((name, k) => [name, probabilities[k]])),
          scores: Array.from(scores),
        });
        print(`${file}: ${model.classNames[best]} (${probabilities[best].toFixed(3)})`);
        progress.report({ stage: 'classify', fraction: (index + 1) / files.length });
      }
      const summary: CommandSummary = {
        model: model.identity,
        backend: model.loadReport.backend,
        scoreKind: model.scoreKind,
        loadSeconds: model.loadReport.loadSeconds,
        secondsPerImage: (performance.now() - started) / 1000 / files.length,
        images,
      };
      return summary;
    } finally {
      model.dispose();
    }
  },
});

/** Scores are logits (or log-probabilities), so softmax gives the class probabilities either way. */
function softmax(scores: Float32Array): number[] {
  const max = Math.max(...scores);
  const exps = Array.from(scores, (value) => Math.exp(value - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

export const modelsCommandGroup = defineCommandGroup({
  name: 'models',
  summary: 'registered classifiers and latent extractors: list, add, classify',
  subcommands: [modelsListCommand, modelsAddCommand, modelsClassifyCommand],
});
