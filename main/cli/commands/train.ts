import { existsSync } from 'node:fs';
import { DEFAULT_BASELINE_TRAINING } from '../../acsr/models/baseline-cnn.ts';
import { UsageError } from '../errors.ts';
import { isFashionMnistFolder } from '../../acsr/references/labelled-images.ts';
import { DEFAULT_TRAINING_PARAMETERS } from '../../acsr/references/train-references.ts';
import { runAction } from '../../actions/define-action.ts';
import { trainReferencesAction } from '../../actions/train-references-action.ts';
import { actionControl } from '../action-control.ts';
import { defineCommand } from '../command.ts';

const d = DEFAULT_TRAINING_PARAMETERS;

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'stage i: learn the reference bundle (clusters, covariances, dictionaries) from labelled clean images',
  description:
    'Reads labelled images (a folder with one sub-folder per class, or the Fashion-MNIST IDX files), extracts ' +
    'their latents with a registered model, clusters each class with k-means++ for k = 1..K_max and the elbow ' +
    "(Kneedle) rule, estimates each cluster's mean and inverse covariance, and learns a convolutional dictionary " +
    'per cluster from the Tikhonov high-frequency parts of distinct crops of all its images (batch dictionary ' +
    'learning for a small cluster, online learning streaming over a large one). A validation share of every class ' +
    'is held out first (seeded; recorded by hash in the manifest) and used for the specificity check: the ' +
    "reconstruction objective of held-out images with every cluster's dictionary (specificity/ JSON and heat map). " +
    'The bundle folder (manifest.json with every parameter and SHA-256 of every file) appears only when complete.',
  examples: [
    'acsr train --data photos-by-class/ --extractor nsfwjs-mobilenet-v2 --out my-bundle',
    'acsr train --data ../shared/data/fashion-mnist --limit 10000 --extractor ID --out fmnist-bundle --k-max 4',
    'acsr train --data ../shared/data/fashion-mnist --limit 10000 --train-baseline --out fmnist-bundle',
  ],
  options: {
    data: { type: 'string', required: true, valueName: 'DIR', description: 'class sub-folders of images, or a folder with Fashion-MNIST train-*-ubyte.gz' },
    extractor: { type: 'string', valueName: 'ID', description: 'latent extractor (models/registry.json id, or a model trained here)' },
    trainBaseline: {
      type: 'boolean',
      default: false,
      description: 'Fashion-MNIST: first train the baseline CNN here (registered in the model cache) and use it as the extractor',
    },
    baselineEpochs: { type: 'integer', default: DEFAULT_BASELINE_TRAINING.epochs, min: 1, valueName: 'N', description: 'epochs of baseline CNN training' },
    baselineImages: { type: 'integer', min: 1, valueName: 'N', description: 'baseline CNN: first N training images (default all 60,000)' },
    out: { type: 'string', required: true, valueName: 'BUNDLE', description: 'bundle folder to create (must not exist)' },
    kMax: { type: 'integer', default: d.kMax, min: 1, valueName: 'K', description: 'largest k tried per class' },
    k: { type: 'integer', min: 1, description: 'fixed number of clusters per class (overrides the elbow)' },
    atoms: { type: 'integer', default: d.atoms, min: 1, valueName: 'M', description: 'atoms per dictionary' },
    atomSize: { type: 'integer', default: d.atomSize, min: 2, valueName: 'PX', description: 'atom side in pixels' },
    covariance: {
      type: 'string',
      choices: ['ledoit-wolf', 'pinv'],
      default: d.covariance,
      description: "inverse covariance: Ledoit-Wolf shrinkage or the paper's pseudo-inverse",
    },
    seed: { type: 'integer', default: d.seed, description: 'seed of every random choice (k-means++, crops, initial atoms)' },
    patchSize: { type: 'integer', default: d.patchSize, min: 2, valueName: 'PX', description: 'side of the training crops (capped by the smallest image)' },
    patchesPerImage: {
      type: 'integer',
      default: d.patchesPerImage,
      min: 1,
      valueName: 'N',
      description: 'distinct (non-overlapping) training crops per image at most; an image no larger than a crop gives one, itself',
    },
    maxPatchesPerCluster: {
      type: 'integer',
      min: 1,
      valueName: 'N',
      description: 'crops one dictionary learns from at most (default: every crop of every image of the cluster)',
    },
    cdlMethod: {
      type: 'string',
      choices: ['auto', 'batch-admm-pgm', 'online-liu2018'],
      default: d.cdlMethod,
      description: 'dictionary learning: batch, online, or auto (batch up to --batch-cdl-max-patches crops, online above)',
    },
    batchCdlMaxPatches: {
      type: 'integer',
      default: d.batchCdlMaxPatches,
      min: 1,
      valueName: 'N',
      description: 'auto: the largest cluster (in crops) learned by batch CDL',
    },
    cdlIterations: { type: 'integer', default: d.cdlIterations, min: 1, valueName: 'N', description: 'batch CDL iterations per dictionary' },
    onlineEpochs: { type: 'integer', default: d.onlineEpochs, min: 1, valueName: 'N', description: "online CDL: passes over the cluster's crops" },
    onlineBatchSize: { type: 'integer', default: d.onlineBatchSize, min: 1, valueName: 'N', description: 'online CDL: crops per step' },
    onlineCbpdnIterations: {
      type: 'integer',
      default: d.onlineCbpdnIterations,
      min: 1,
      valueName: 'N',
      description: 'online CDL: sparse-coding iterations per step at most',
    },
    validationFraction: {
      type: 'number',
      default: d.validationFraction,
      min: 0,
      max: 0.9,
      description: 'share of each class held out for validation (never used for training; 0: none, and no specificity check)',
    },
    specificityImages: {
      type: 'integer',
      default: d.specificityImagesPerClass,
      min: 1,
      valueName: 'N',
      description: 'specificity check: held-out images per class at most',
    },
    cdlLambda: { type: 'number', default: d.cdlLambda, min: 0, description: 'l1 weight of dictionary learning' },
    limit: { type: 'integer', min: 1, valueName: 'N', description: 'Fashion-MNIST: use the first N training images' },
  },
  async run(context) {
    const { options, print } = context;
    if ((options.extractor === undefined) === !options.trainBaseline) throw new UsageError('give either --extractor ID or --train-baseline');
    if (options.trainBaseline) {
      if (!(await isFashionMnistFolder(options.data))) throw new UsageError('--train-baseline needs the Fashion-MNIST IDX folder as --data');
      // Refused now rather than after minutes of training (the bundle writer would refuse it too).
      if (existsSync(options.out)) throw new UsageError(`${options.out} already exists`);
    }
    const { manifest, source, baseline } = await runAction(
      trainReferencesAction,
      {
        data: options.data,
        out: options.out,
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        extractor: options.trainBaseline
          ? { kind: 'baseline', epochs: options.baselineEpochs, ...(options.baselineImages !== undefined ? { images: options.baselineImages } : {}) }
          : { kind: 'registered', id: options.extractor! },
        training: {
          kMax: options.kMax,
          fixedK: options.k ?? null,
          atoms: options.atoms,
          atomSize: options.atomSize,
          covariance: options.covariance,
          seed: options.seed,
          patchSize: options.patchSize,
          patchesPerImage: options.patchesPerImage,
          maxPatchesPerCluster: options.maxPatchesPerCluster ?? null,
          cdlMethod: options.cdlMethod,
          batchCdlMaxPatches: options.batchCdlMaxPatches,
          cdlIterations: options.cdlIterations,
          cdlLambda: options.cdlLambda,
          onlineEpochs: options.onlineEpochs,
          onlineBatchSize: options.onlineBatchSize,
          onlineCbpdnIterations: options.onlineCbpdnIterations,
          validationFraction: options.validationFraction,
          specificityImagesPerClass: options.specificityImages,
        },
      },
      actionControl(context),
    );
    if (baseline) {
      print(
        `baseline CNN ${baseline.saved.entry.id}: ${baseline.trainImages} images, ${baseline.history.length} epochs in ${baseline.trainingSeconds.toFixed(0)} s, ` +
          `test accuracy ${baseline.testAccuracy === null ? 'n/a (no t10k files)' : `${(100 * baseline.testAccuracy).toFixed(2)}% on ${baseline.testImages} images`}; saved in ${baseline.saved.folder}`,
      );
    }
    print(`${source.images} images in ${source.classes} classes (${source.description})`);
    for (const cls of manifest.classes) {
      print(`${cls.name}: ${cls.imageCount} images, k = ${cls.chosenK} (${cls.chosenBy}), WCSS ${cls.wcss.map((w) => w.toPrecision(4)).join(' ')}`);
    }
    if (manifest.validation) print(`validation: ${manifest.validation.imageCount} images held out, ${manifest.validation.trainingImageCount} trained on`);
    const sp = manifest.specificity;
    if (sp) {
      const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)}%`);
      print(
        `specificity (${sp.images} held-out images): own cluster's dictionary best for ${pct(sp.ownClusterBestShare)}, own class's for ${pct(sp.ownClassBestShare)}`,
      );
    }
    print(`bundle written to ${options.out}`);
    return {
      bundle: options.out,
      extractor: manifest.extractor,
      classes: manifest.classes.map((c) => ({
        name: c.name,
        images: c.imageCount,
        k: c.chosenK,
        chosenBy: c.chosenBy,
        wcss: c.wcss,
        clusterSizes: c.clusters.map((k) => k.sampleCount),
      })),
      datasetSha256: manifest.trainingData.datasetSha256,
      validation: manifest.validation ?? null,
      specificity: manifest.specificity ?? null,
      dictionaries: manifest.classes.flatMap((c) =>
        c.clusters.map((k) => ({ id: k.id, method: k.dictionary.method, images: k.dictionary.trainingImages, patches: k.dictionary.trainingPatches })),
      ),
      ...(baseline
        ? {
            baseline: {
              id: baseline.saved.entry.id,
              weightSha256: baseline.saved.entry.weightSha256,
              folder: baseline.saved.folder,
              trainImages: baseline.trainImages,
              testImages: baseline.testImages,
              testAccuracy: baseline.testAccuracy,
              epochs: baseline.history,
              trainingSeconds: baseline.trainingSeconds,
              backend: baseline.backend,
            },
          }
        : {}),
    };
  },
});
