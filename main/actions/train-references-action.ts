/**
 * Stage i: a reference bundle learned from labelled clean images (main/acsr/references), with
 * the Fashion-MNIST baseline CNN trained first if asked: `acsr train` and the workstation's train
 * job. Where someone watches (a job), each class's elbow curve, each cluster's atoms and the
 * specificity heat map go out the moment they exist. The bundle writer renames a complete temp
 * folder into place, so a cancel or a failure leaves no bundle behind.
 */
import { z } from 'zod';
import { loadLatentExtractor, type LatentExtractor } from '../acsr/models/latent-extractor.ts';
import { trainFashionMnistBaseline, type TrainBaselineResult } from '../acsr/models/train-baseline.ts';
import { trainingParametersSchema } from '../acsr/references/bundle-manifest.ts';
import { writeReferenceBundle } from '../acsr/references/bundle-writer.ts';
import { fashionMnistSource, isFashionMnistFolder, labelledFolder } from '../acsr/references/labelled-images.ts';
import type { TrainingObserver } from '../acsr/references/training-observer.ts';
import { DEFAULT_TRAINING_PARAMETERS, trainReferences } from '../acsr/references/train-references.ts';
import type { JobOutput } from '../ipc/contract/index.ts';
import { throwIfCancelled } from '../progress/progress.ts';
import { productVersion } from '../version.ts';
import { atomGridPng } from './atom-grid.ts';
import { defineAction } from './define-action.ts';

/** Share of the bar for the baseline CNN (defaults, 10,000 images for stage i: ~9 of ~11 minutes here). */
const BASELINE_SHARE = 0.8;
/** Shares of the rest for loading the model and reading the images, and for writing the bundle. */
const LOADING_SHARE = 0.03;
const WRITING_SHARE = 0.01;

export const trainReferencesParameters = z.strictObject({
  /** Class sub-folders of images, or a folder with the Fashion-MNIST IDX files. */
  data: z.string().min(1),
  /** Fashion-MNIST: the first N training images. */
  limit: z.number().int().min(1).optional(),
  extractor: z.discriminatedUnion('kind', [
    /** A model of the registry (or one trained here) whose latent space is clustered. */
    z.strictObject({ kind: z.literal('registered'), id: z.string().min(1) }),
    /** Fashion-MNIST: train the baseline CNN first (on the whole train split, or its first `images`) and use it. */
    z.strictObject({ kind: z.literal('baseline'), epochs: z.number().int().min(1), images: z.number().int().min(1).optional() }),
  ]),
  /** The bundle folder to create (must not exist). */
  out: z.string().min(1),
  /** Over DEFAULT_TRAINING_PARAMETERS. */
  training: trainingParametersSchema.partial().default({}),
});

export interface TrainReferencesOutcome {
  bundlePath: string;
  manifest: Awaited<ReturnType<typeof writeReferenceBundle>>;
  source: { images: number; classes: number; description: string };
  baseline: TrainBaselineResult | null;
}

export const trainReferencesAction = defineAction({
  name: 'train',
  parameters: trainReferencesParameters,
  async run(parameters, { progress, signal, output }): Promise<TrainReferencesOutcome> {
    const training = { ...DEFAULT_TRAINING_PARAMETERS, ...parameters.training };
    let baseline: TrainBaselineResult | null = null;
    let extractorId: string;
    if (parameters.extractor.kind === 'registered') extractorId = parameters.extractor.id;
    else {
      // The CNN learns from the whole train split (not just the limit): the latent is better, and training it is the smaller cost.
      baseline = await trainFashionMnistBaseline({
        dataDir: parameters.data,
        trainImages: parameters.extractor.images,
        training: { epochs: parameters.extractor.epochs, seed: training.seed },
        progress: progress.sub(0, BASELINE_SHARE, 'baseline-cnn'),
        signal,
      });
      extractorId = baseline.saved.entry.id;
    }
    const stages = baseline ? progress.sub(BASELINE_SHARE, 1) : progress;
    stages.report({ stage: 'loading', fraction: 0, message: extractorId });
    let extractor: LatentExtractor | undefined;
    try {
      extractor = await loadLatentExtractor(extractorId);
      const channels = extractor.inputSize.channels;
      const source = (await isFashionMnistFolder(parameters.data))
        ? await fashionMnistSource(parameters.data, parameters.limit, channels)
        : await labelledFolder(parameters.data, channels);
      stages.report({ stage: 'loading', fraction: 1, message: `${source.images.length} images in ${source.classNames.length} classes` });
      throwIfCancelled(signal);
      const watched = output ? watchTraining(output) : null;
      const content = await trainReferences({
        source,
        extractor,
        producer: `acsr ${productVersion}`,
        progress: stages.sub(LOADING_SHARE, 1 - WRITING_SHARE),
        signal,
        parameters: training,
        ...(watched ? { observer: watched.observer } : {}),
      });
      await watched?.drawn();
      const manifest = await writeReferenceBundle(parameters.out, content, signal);
      stages.report({ stage: 'write', fraction: 1 });
      return {
        bundlePath: parameters.out,
        manifest,
        source: { images: source.images.length, classes: source.classNames.length, description: source.description },
        baseline,
      };
    } finally {
      extractor?.dispose();
    }
  },
  summary: ({ bundlePath, manifest }) => ({
    bundlePath,
    extractor: manifest.extractor.id,
    images: manifest.trainingData.imageCount,
    classes: manifest.classes.map((cls) => ({ name: cls.name, images: cls.imageCount, k: cls.chosenK, chosenBy: cls.chosenBy })),
    clusters: manifest.classes.flatMap((cls) => cls.clusters.map((cluster) => cluster.id)),
    datasetSha256: manifest.trainingData.datasetSha256,
  }),
});

/** Sends each elbow curve, atom grid and the specificity heat map as they exist; `drawn` waits for the grids still being drawn. */
function watchTraining(output: (output: JobOutput) => void): { observer: TrainingObserver; drawn: () => Promise<void> } {
  // Atom grids are drawn while training goes on; their order is kept, and each is awaited before the end.
  let drawing = Promise.resolve();
  const observer: TrainingObserver = {
    classClustered: (result) => output({ type: 'wcss', ...result, wcss: [...result.wcss] }),
    dictionaryLearned: ({ clusterId, sampleCount, dictionary }) => {
      drawing = drawing
        .then(async () => {
          const { columns, ...png } = await atomGridPng(dictionary);
          output({
            type: 'atoms',
            clusterId,
            sampleCount,
            atoms: dictionary.atoms,
            atomSize: dictionary.atomHeight,
            channels: dictionary.channels,
            columns,
            png,
          });
        })
        // A picture that cannot be drawn must not cost the bundle; the atoms are in the bundle anyway.
        .catch(() => {});
    },
    specificityChecked: ({ check, png }) => {
      const { images, ownClusterBestShare, ownClassBestShare, chanceCluster } = check.summary;
      output({
        type: 'specificity',
        images,
        ownClusterBestShare,
        ownClassBestShare,
        chanceCluster,
        png: { mediaType: 'image/png', base64: png.toString('base64') },
      });
    },
  };
  return { observer, drawn: () => drawing };
}
