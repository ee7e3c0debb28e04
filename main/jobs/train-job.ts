/**
 * Worker thread: stage i training of a reference bundle from a labelled folder (what `acsr train`
 * does), into the workspace's bundles/<name>/. Each class's elbow curve, each cluster's atoms and
 * the specificity heat map are sent as job outputs the moment they exist. The bundle writer renames a complete temp folder
 * into place, so a cancel or a failure leaves no bundle behind.
 */
import { loadLatentExtractor, type LatentExtractor } from '../acsr/models/latent-extractor.ts';
import { labelledFolder } from '../acsr/references/labelled-images.ts';
import { writeReferenceBundle } from '../acsr/references/bundle-writer.ts';
import { DEFAULT_TRAINING_PARAMETERS, trainReferences } from '../acsr/references/train-references.ts';
import type { TrainingParameters } from '../acsr/references/bundle-manifest.ts';
import { productVersion } from '../version.ts';
import { throwIfCancelled } from '../progress/progress.ts';
import { atomGridPng } from './atom-grid.ts';
import { runJobWorker } from './run-job-worker.ts';

export interface TrainJobParameters {
  labelledFolder: string;
  /** Resolved by the service: <workspace>/bundles/<name>, checked not to exist. */
  bundlePath: string;
  extractorId: string;
  /** The defaults of DEFAULT_TRAINING_PARAMETERS with the person's choices over them. */
  training: Pick<TrainingParameters, 'kMax' | 'fixedK' | 'atoms' | 'atomSize' | 'covariance' | 'cdlIterations' | 'seed'>;
}

/** Share of the bar for loading the model and reading the folder. */
const LOADING_SHARE = 0.03;
const WRITING_SHARE = 0.01;

runJobWorker<TrainJobParameters>(async (parameters, { progress, signal, output }) => {
  progress.report({ stage: 'loading', fraction: 0, message: parameters.extractorId });
  let extractor: LatentExtractor | undefined;
  try {
    extractor = await loadLatentExtractor(parameters.extractorId);
    const source = await labelledFolder(parameters.labelledFolder, extractor.inputSize.channels);
    progress.report({ stage: 'loading', fraction: 1, message: `${source.images.length} images in ${source.classNames.length} classes` });
    throwIfCancelled(signal);
    // Atom grids are drawn while training goes on; their order is kept, and each is awaited before the end.
    let drawing = Promise.resolve();
    const content = await trainReferences({
      source, extractor, producer: `acsr ${productVersion}`, progress: progress.sub(LOADING_SHARE, 1 - WRITING_SHARE), signal,
      parameters: { ...DEFAULT_TRAINING_PARAMETERS, ...parameters.training },
      observer: {
        classClustered: (result) => output({ type: 'wcss', ...result, wcss: [...result.wcss] }),
        dictionaryLearned: ({ clusterId, sampleCount, dictionary }) => {
          drawing = drawing
            .then(async () => {
              const { columns, ...png } = await atomGridPng(dictionary);
              output({ type: 'atoms', clusterId, sampleCount, atoms: dictionary.atoms, atomSize: dictionary.atomHeight, channels: dictionary.channels, columns, png });
            })
            // A picture that cannot be drawn must not cost the bundle; the atoms are in the bundle anyway.
            .catch(() => {});
        },
        specificityChecked: ({ check, png }) => {
          const { images, ownClusterBestShare, ownClassBestShare, chanceCluster } = check.summary;
          output({ type: 'specificity', images, ownClusterBestShare, ownClassBestShare, chanceCluster, png: { mediaType: 'image/png', base64: png.toString('base64') } });
        },
      },
    });
    await drawing;
    const manifest = await writeReferenceBundle(parameters.bundlePath, content, signal);
    progress.report({ stage: 'write', fraction: 1 });
    return {
      bundlePath: parameters.bundlePath,
      extractor: manifest.extractor.id,
      images: manifest.trainingData.imageCount,
      classes: manifest.classes.map((cls) => ({ name: cls.name, images: cls.imageCount, k: cls.chosenK, chosenBy: cls.chosenBy })),
      clusters: manifest.classes.flatMap((cls) => cls.clusters.map((cluster) => cluster.id)),
      datasetSha256: manifest.trainingData.datasetSha256,
    };
  } finally {
    extractor?.dispose();
  }
});
