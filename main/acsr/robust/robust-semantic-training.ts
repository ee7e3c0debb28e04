/**
 * Stage ii from start to end (`acsr train-robust`): the stage-i bundle and its extractor f_bsl ->
 * each training image's clean cluster -> robust training of f_rob from f_bsl (or another
 * registered model of the same architecture) with per-epoch checkpoints -> f_rob saved as a
 * verified model folder and registered in the local model registry -> a NEW bundle naming f_rob
 * as its extractor (robust-bundle.ts). Optionally f_bsl and f_rob are both measured on held-out
 * images (robust-evaluation.ts).
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { registerLocalModel } from '../models/local-model-registry.ts';
import { defaultModelCacheDir } from '../models/model-files.ts';
import { initTfBackend } from '../models/tf-backend.ts';
import { loadTfImageModel, type TfImageModel } from '../models/tf-image-model.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../references/bundle-reader.ts';
import { cleanClusters } from './clean-clusters.ts';
import { clusterPrecisionTensors } from './cluster-precision-tensors.ts';
import type { EpochSummary } from './robust-checkpoint.ts';
import { latestCheckpoint } from './robust-checkpoint.ts';
import { refuseExisting, writeRobustBundle } from './robust-bundle.ts';
import { evaluateRobustness, type RobustnessFigures } from './robust-evaluation.ts';
import { saveRobustModel } from './robust-model-files.ts';
import { type RobustNetwork, type RobustTrainingOptions, trainRobustly } from './robust-training.ts';
import { loadRobustTrainingSet, withoutImages } from './robust-training-set.ts';
import { bundleValidationNames } from './bundle-validation-names.ts';
import { assertTrainableNetwork, type TrainedScope, trainablePlan } from './trainable-variables.ts';

export interface TrainRobustRequest {
  readonly bundlePath: string;
  /** Fashion-MNIST IDX folder or class sub-folders */
  readonly dataDir: string;
  readonly limit?: number;
  /** 'baseline': start from the bundle's own extractor f_bsl; otherwise a registered model id */
  readonly init: string;
  readonly options: RobustTrainingOptions;
  /** the new bundle folder (must not exist) */
  readonly out: string;
  /** default `<out>.checkpoints` */
  readonly checkpointDir?: string;
  readonly resume: boolean;
  /** default: the whole net on tensorflow-gpu, the last blocks elsewhere */
  readonly scope?: TrainedScope;
  /** held-out images for the before/after figures: Fashion-MNIST t10k (first N) or a folder */
  readonly evaluation?: { dataDir: string; images: number };
  readonly cacheDir?: string;
  readonly producer: string;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
}

export interface TrainRobustResult {
  readonly model: { id: string; weightSha256: string; folder: string };
  readonly bundle: string;
  readonly history: EpochSummary[];
  readonly resumedAfter: number | null;
  readonly trainImages: number;
  readonly clusterAssignment: { fromMembers: number; byDistance: number };
  readonly trainedLayers: string[];
  readonly scope: TrainedScope;
  readonly layerMode: string;
  readonly backend: string;
  readonly checkpointDir: string;
  readonly evaluation?: { images: number; baseline: RobustnessFigures; robust: RobustnessFigures };
}

const EVALUATION_SHARE = 0.04;

export async function trainRobustExtractor(request: TrainRobustRequest): Promise<TrainRobustResult> {
  const progress = request.progress ?? silentProgress;
  const { options, signal } = request;
  await refuseExisting(request.out);
  const checkpointDir = request.checkpointDir ?? `${path.resolve(request.out)}.checkpoints`;
  if (!request.resume && (await latestCheckpoint(checkpointDir))) {
    throw new UserInputError(`${checkpointDir} holds checkpoints of an earlier run: pass --resume to continue it, or remove the folder to start over`);
  }
  const bundle = await loadReferenceBundle(request.bundlePath);
  const backend = await initTfBackend();
  const stageOne = await loadStageOneExtractor(bundle);
  const initial = request.init === 'baseline' ? stageOne : await loadTfImageModel(request.init, request.cacheDir ? { cacheDir: request.cacheDir } : {});
  try {
    const network = assertTrainableNetwork(initial.network, initial.identity.id);
    const stageOneNet = robustNetwork(stageOne, 'all', assertTrainableNetwork(stageOne.network, stageOne.identity.id));
    checkCompatible(initial, bundle);
    const scope = request.scope ?? (backend.choice === 'tensorflow-gpu' ? 'all' : 'last-blocks');
    const set = withoutImages(
      await loadRobustTrainingSet(request.dataDir, initial.entry, request.limit),
      await bundleValidationNames(bundle.manifest, request.dataDir, initial.entry.input.channels === 1 ? 1 : 3),
    );
    const evaluationSet = request.evaluation
      ? await loadRobustTrainingSet(request.evaluation.dataDir, initial.entry, request.evaluation.images, 't10k')
      : undefined;
    throwIfCancelled(signal);

    const assignment = await cleanClusters(bundle, set, initial.classNames, (x) => latentOf(stageOneNet, x), signal);
    const evaluate = async (net: RobustNetwork, stageOneCleanCluster?: Int32Array) =>
      evaluateRobustness({
        net,
        set: evaluationSet!,
        classNames: initial.classNames,
        clusters: bundle.clusters,
        pgd: options.pgd,
        seed: options.seed,
        stageOneCleanCluster,
        signal,
      });
    const baselineFigures = evaluationSet ? await evaluate(stageOneNet) : undefined;
    const evaluationShare = evaluationSet ? EVALUATION_SHARE : 0;
    progress.report({ stage: 'evaluate f_bsl', fraction: evaluationShare });

    const net = robustNetwork(initial, scope, network);
    const clusters = clusterPrecisionTensors(bundle.clusters.map((cluster) => cluster.distribution));
    const fingerprint = {
      bundleManifestSha256: bundle.manifestSha256,
      initialModel: { id: initial.identity.id, weightSha256: initial.identity.weightSha256 },
      data: { description: set.description, sha256: set.sha256 },
      // not the epoch count: a resume may extend a run (the schedule does not depend on it)
      options: { ...options, epochs: undefined },
      trainedLayers: net.plan.layers,
      layerMode: net.plan.why,
      backend: backend.choice,
    };
    let training;
    try {
      training = await trainRobustly({
        net,
        set,
        clusterOfImage: assignment.clusterOfImage,
        clusters,
        options,
        checkpoints: { dir: checkpointDir, fingerprint, resume: request.resume },
        progress: progress.sub(evaluationShare, 1 - evaluationShare),
        signal,
      });
    } finally {
      clusters.dispose();
    }
    // f_bsl is f_rob's starting point when init is 'baseline': its clean selections were taken above
    const robustFigures = evaluationSet ? await evaluate(net, baselineFigures!.cleanCluster) : undefined;
    progress.report({ stage: 'evaluate f_rob', fraction: 1 });
    throwIfCancelled(signal);

    const last = training.history.at(-1)!;
    const cacheDir = request.cacheDir ?? defaultModelCacheDir();
    const report = {
      stage: 'ii (robust semantic training)',
      bundle: path.resolve(request.bundlePath),
      bundleManifestSha256: bundle.manifestSha256,
      stageOneExtractor: stageOne.identity,
      initialModel: initial.identity,
      data: set.description,
      trainImages: set.count,
      options,
      trainedLayers: net.plan.layers,
      scope: net.plan.scope,
      layerMode: net.plan.why,
      backend: backend.choice,
      history: training.history,
      ...(robustFigures ? { evaluation: { images: evaluationSet!.count, baseline: strip(baselineFigures!), robust: strip(robustFigures) } } : {}),
    };
    const saved = await saveRobustModel(
      network,
      initial.entry,
      { parent: cacheDir },
      {
        summary:
          `f_rob: ${initial.identity.id} after ${training.history.length} epochs of robust semantic training (alpha ${options.alpha}, PGD ${options.pgd.norm} ${options.pgd.epsilon} x ${options.pgd.steps}) ` +
          `on ${set.count} images; PGD accuracy on them ${(100 * last.pgdAccuracy).toFixed(1)}% in the last epoch`,
        report,
      },
    );
    await registerLocalModel(saved.entry, saved.modelJsonPath, cacheDir);
    await writeRobustBundle(
      bundle,
      request.out,
      { id: saved.entry.id, weightSha256: saved.entry.weightSha256, backend: backend.choice },
      {
        producer: request.producer,
        modelFolder: saved.folder,
        options,
        trainImages: set.count,
        data: set.description,
        trainedLayers: net.plan.layers,
        layerMode: net.plan.why,
        history: training.history,
        ...(robustFigures ? { evaluation: report.evaluation } : {}),
      },
    );
    return {
      model: { id: saved.entry.id, weightSha256: saved.entry.weightSha256, folder: saved.folder },
      bundle: request.out,
      history: training.history,
      resumedAfter: training.resumedAfter,
      trainImages: set.count,
      clusterAssignment: { fromMembers: assignment.fromMembers, byDistance: set.count - assignment.fromMembers },
      trainedLayers: net.plan.layers,
      scope: net.plan.scope,
      layerMode: net.plan.why,
      backend: backend.choice,
      checkpointDir,
      ...(robustFigures ? { evaluation: { images: evaluationSet!.count, baseline: strip(baselineFigures!), robust: strip(robustFigures) } } : {}),
    };
  } finally {
    if (initial !== stageOne) initial.dispose();
    stageOne.dispose();
  }
}

async function loadStageOneExtractor(bundle: ReferenceBundle): Promise<TfImageModel> {
  const model = await loadTfImageModel(bundle.manifest.extractor.id);
  if (model.identity.weightSha256 !== bundle.manifest.extractor.weightSha256) {
    model.dispose();
    throw new UserInputError(
      `bundle ${bundle.path} was trained with ${bundle.manifest.extractor.id} weights ${bundle.manifest.extractor.weightSha256.slice(0, 12)}..., the registered model has ${model.identity.weightSha256.slice(0, 12)}...`,
    );
  }
  return model;
}

function checkCompatible(model: TfImageModel, bundle: ReferenceBundle): void {
  const { pixelScale, pixelOffset } = model.entry.preprocessing;
  // the training block holds [0, 1] pixels at the input size and the network is fed them directly
  if (pixelScale !== 1 || pixelOffset !== 0)
    throw new UserInputError(
      `model '${model.identity.id}' scales its pixels (x ${pixelScale} + ${pixelOffset}); robust training supports models fed [0, 1] pixels`,
    );
  if (model.latentDimension !== bundle.manifest.extractor.latentDimension) {
    throw new UserInputError(
      `model '${model.identity.id}' has ${model.latentDimension}-d latents, bundle ${bundle.path} ${bundle.manifest.extractor.latentDimension}-d clusters`,
    );
  }
  const missing = bundle.clusters.filter((cluster) => !model.classNames.includes(cluster.className));
  if (missing.length > 0) throw new UserInputError(`bundle class '${missing[0].className}' is not one of model '${model.identity.id}''s classes`);
}

function robustNetwork(model: TfImageModel, scope: TrainedScope, network = model.network as tf.LayersModel): RobustNetwork {
  const heads = tf.model({
    inputs: network.inputs,
    outputs: [network.getLayer(model.entry.scores.node).output as tf.SymbolicTensor, network.getLayer(model.entry.latent.node).output as tf.SymbolicTensor],
  });
  return { network, heads, plan: trainablePlan(network, scope) };
}

function latentOf(net: RobustNetwork, x: tf.Tensor4D): tf.Tensor2D {
  const [, latent] = net.heads.apply(x, { training: false }) as tf.Tensor[];
  return tf.reshape(latent, [x.shape[0], -1]);
}

function strip(figures: RobustnessFigures & { cleanCluster?: Int32Array }): RobustnessFigures {
  const { cleanCluster: _, ...rest } = figures;
  return rest;
}
