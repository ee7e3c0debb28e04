import { loadLatentExtractor } from '../../acsr/models/latent-extractor.ts';
import { isFashionMnistFolder, fashionMnistSource, labelledFolder } from '../../acsr/references/labelled-images.ts';
import { DEFAULT_TRAINING_PARAMETERS, trainReferences } from '../../acsr/references/train-references.ts';
import { writeReferenceBundle } from '../../acsr/references/bundle-writer.ts';
import { defineCommand } from '../command.ts';
import { productVersion } from '../version.ts';

const d = DEFAULT_TRAINING_PARAMETERS;

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'stage i: learn the reference bundle (clusters, covariances, dictionaries) from labelled clean images',
  description:
    'Reads labelled images (a folder with one sub-folder per class, or the Fashion-MNIST IDX files), extracts ' +
    'their latents with a registered model, clusters each class with k-means++ for k = 1..K_max and the elbow ' +
    '(Kneedle) rule, estimates each cluster\'s mean and inverse covariance, and learns a convolutional dictionary ' +
    'per cluster from the Tikhonov high-frequency parts of crops of its images. The bundle folder (manifest.json ' +
    'with every parameter and SHA-256 of every file, .npy arrays) appears only when complete.',
  examples: [
    'acsr train --data photos-by-class/ --extractor nsfwjs-mobilenet-v2 --out my-bundle',
    'acsr train --data ../shared/data/fashion-mnist --limit 10000 --extractor ID --out fmnist-bundle --k-max 4',
  ],
  options: {
    data: { type: 'string', required: true, valueName: 'DIR', description: 'class sub-folders of images, or a folder with Fashion-MNIST train-*-ubyte.gz' },
    extractor: { type: 'string', required: true, valueName: 'ID', description: 'latent extractor (models/registry.json id)' },
    out: { type: 'string', required: true, valueName: 'BUNDLE', description: 'bundle folder to create (must not exist)' },
    kMax: { type: 'integer', default: d.kMax, min: 1, valueName: 'K', description: 'largest k tried per class' },
    k: { type: 'integer', min: 1, description: 'fixed number of clusters per class (overrides the elbow)' },
    atoms: { type: 'integer', default: d.atoms, min: 1, valueName: 'M', description: 'atoms per dictionary' },
    atomSize: { type: 'integer', default: d.atomSize, min: 2, valueName: 'PX', description: 'atom side in pixels' },
    covariance: { type: 'string', choices: ['ledoit-wolf', 'pinv'], default: d.covariance, description: 'inverse covariance: Ledoit-Wolf shrinkage or the paper\'s pseudo-inverse' },
    seed: { type: 'integer', default: d.seed, description: 'seed of every random choice (k-means++, crops, initial atoms)' },
    patchSize: { type: 'integer', default: d.patchSize, min: 2, valueName: 'PX', description: 'side of the training crops (capped by the smallest image)' },
    patchesPerImage: { type: 'integer', default: d.patchesPerImage, min: 1, valueName: 'N', description: 'training crops per image' },
    maxPatchesPerCluster: { type: 'integer', default: d.maxPatchesPerCluster, min: 1, valueName: 'N', description: 'crops one dictionary learns from at most' },
    cdlIterations: { type: 'integer', default: d.cdlIterations, min: 1, valueName: 'N', description: 'batch CDL iterations per dictionary' },
    cdlLambda: { type: 'number', default: d.cdlLambda, min: 0, description: 'l1 weight of dictionary learning' },
    limit: { type: 'integer', min: 1, valueName: 'N', description: 'Fashion-MNIST: use the first N training images' },
  },
  async run({ options, print, progress, signal }) {
    const extractor = await loadLatentExtractor(options.extractor);
    try {
      const channels = extractor.inputSize.channels;
      const source = (await isFashionMnistFolder(options.data))
        ? await fashionMnistSource(options.data, options.limit, channels)
        : await labelledFolder(options.data, channels);
      print(`${source.images.length} images in ${source.classNames.length} classes (${source.description})`);
      const content = await trainReferences({
        source, extractor, producer: `acsr ${productVersion}`, progress: progress.sub(0, 0.98), signal,
        parameters: {
          ...d, kMax: options.kMax, fixedK: options.k ?? null, atoms: options.atoms, atomSize: options.atomSize,
          covariance: options.covariance, seed: options.seed, patchSize: options.patchSize, patchesPerImage: options.patchesPerImage,
          maxPatchesPerCluster: options.maxPatchesPerCluster, cdlIterations: options.cdlIterations, cdlLambda: options.cdlLambda,
        },
      });
      const manifest = await writeReferenceBundle(options.out, content, signal);
      progress.report({ stage: 'write', fraction: 1 });
      for (const cls of manifest.classes) {
        print(`${cls.name}: ${cls.imageCount} images, k = ${cls.chosenK} (${cls.chosenBy}), WCSS ${cls.wcss.map((w) => w.toPrecision(4)).join(' ')}`);
      }
      print(`bundle written to ${options.out}`);
      return {
        bundle: options.out,
        extractor: manifest.extractor,
        classes: manifest.classes.map((c) => ({ name: c.name, images: c.imageCount, k: c.chosenK, chosenBy: c.chosenBy, wcss: c.wcss, clusterSizes: c.clusters.map((k) => k.sampleCount) })),
        datasetSha256: manifest.trainingData.datasetSha256,
      };
    } finally {
      extractor.dispose();
    }
  },
});
