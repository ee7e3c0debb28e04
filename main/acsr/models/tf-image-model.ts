/**
 * A registered tfjs model loaded once and usable both as the image classifier (its scores) and as
 * the latent extractor R(x) (its registered latent node), since ACSR and the attacks need both from
 * the same network. Layers and Graph models are handled behind one forward pass that returns the
 * scores and latent tensors together.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageArray } from '../array/image-array.ts';
import { foldBatchNorms } from './batch-norm-folding.ts';
import { fuseConvolutionActivations } from './fused-activations.ts';
import { giveBatchNormsUnitScale, stripLayerActivation } from './layers-model-patches.ts';
import type { ImageClassifier, LatentExtractor, ModelIdentity } from './model-contracts.ts';
import { loadVerifiedModelFiles } from './model-files.ts';
import { imagesToModelInput } from './model-input.ts';
import { registryHolding } from './local-model-registry.ts';
import { findModelEntry, type ModelEntry, type ModelRegistry } from './model-registry.ts';
import { initTfBackend, type TfBackendReport } from './tf-backend.ts';

export interface LoadModelOptions {
  /** Where converted packaged models are kept; defaults to defaultModelCacheDir(). */
  cacheDir?: string;
  /** Defaults to models/registry.json (or $ACSR_MODEL_REGISTRY), then the cache's local registry (models trained here). */
  registry?: ModelRegistry;
  /** Images per forward pass; bounds memory (activations grow with it). */
  batchSize?: number;
  /**
   * For scoring only, never training: batch norms are folded into the convolutions before them
   * (batch-norm-folding.ts) and convolutions run with their bias and capped ReLU fused
   * (fused-activations.ts), which halves a MobileNet's time on wasm. Scores change only by float
   * rounding; the fused kernels have no gradients for the attacks.
   */
  scoringOnly?: boolean;
}

export interface ModelLoadReport {
  backend: TfBackendReport;
  /** True when this load converted the packaged model into the cache first. */
  converted: boolean;
  modelJsonPath: string;
  loadSeconds: number;
}

// A type alias, not an interface, so that tf.tidy accepts it as a TensorContainer.
export type ModelOutputs = {
  scores: tf.Tensor2D;
  latent: tf.Tensor2D;
};

type ForwardPass = (input: tf.Tensor4D) => ModelOutputs;

const DEFAULT_BATCH_SIZE = 8;

export class TfImageModel implements LatentExtractor, ImageClassifier {
  readonly identity: ModelIdentity;
  readonly entry: ModelEntry;
  readonly classNames: readonly string[];
  readonly inputSize: { height: number; width: number; channels: 1 | 3 };
  readonly latentDimension: number;
  /** What scores() returns: the registry says whether the model exposes logits or only probabilities. */
  readonly scoreKind: 'logits' | 'log-probabilities';
  readonly loadReport: ModelLoadReport;
  /**
   * The tfjs network itself, for fine-tuning (a Layers model's variables, trainable flags
   * as in its Keras config). Graph models hold their weights as constants and cannot be trained.
   */
  readonly network: tf.LayersModel | tf.GraphModel;
  readonly #forward: ForwardPass;
  readonly #release: () => void;
  readonly #batchSize: number;
  #disposed = false;

  constructor(parts: {
    entry: ModelEntry;
    identity: ModelIdentity;
    forward: ForwardPass;
    release: () => void;
    network: tf.LayersModel | tf.GraphModel;
    loadReport: ModelLoadReport;
    batchSize: number;
  }) {
    this.entry = parts.entry;
    this.identity = parts.identity;
    this.classNames = parts.entry.classNames;
    this.inputSize = { ...parts.entry.input };
    this.latentDimension = parts.entry.latent.dimension;
    this.scoreKind = parts.entry.scores.kind === 'logits' ? 'logits' : 'log-probabilities';
    this.loadReport = parts.loadReport;
    this.#forward = parts.forward;
    this.#release = parts.release;
    this.network = parts.network;
    this.#batchSize = parts.batchSize;
  }

  /** Model-ready input (see model-input.ts) for these images; the caller disposes it. */
  preprocess(images: readonly ImageArray[]): tf.Tensor4D {
    return imagesToModelInput(images, this.entry);
  }

  /**
   * Differentiable forward pass on model-ready input [N, h, w, c]: scores as scores() reports them
   * and the latent R(x). Use inside tf.grad / tf.tidy; the caller owns the returned tensors.
   */
  forward(input: tf.Tensor4D): ModelOutputs {
    this.#assertUsable();
    return tf.tidy(() => {
      const { scores, latent } = this.#forward(input);
      return { scores: this.scoreKind === 'logits' ? scores : tf.log(scores), latent };
    });
  }

  async extract(images: readonly ImageArray[]): Promise<Float32Array[]> {
    return (await this.#run(images)).map((row) => row.latent);
  }

  async scores(images: readonly ImageArray[]): Promise<Float32Array[]> {
    return (await this.#run(images)).map((row) => row.scores);
  }

  /** Scores and latents in one pass, for callers that need both. */
  async scoresAndLatents(images: readonly ImageArray[]): Promise<{ scores: Float32Array; latent: Float32Array }[]> {
    return this.#run(images);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#release();
  }

  async #run(images: readonly ImageArray[]): Promise<{ scores: Float32Array; latent: Float32Array }[]> {
    this.#assertUsable();
    const rows: { scores: Float32Array; latent: Float32Array }[] = [];
    for (let start = 0; start < images.length; start += this.#batchSize) {
      const batch = images.slice(start, start + this.#batchSize);
      const { scores, latent } = tf.tidy(() => this.forward(this.preprocess(batch)));
      try {
        const [scoreData, latentData] = await Promise.all([scores.data<'float32'>(), latent.data<'float32'>()]);
        const classes = this.classNames.length;
        const dimension = this.latentDimension;
        if (scoreData.length !== batch.length * classes || latentData.length !== batch.length * dimension) {
          throw new Error(
            `model '${this.identity.id}' returned scores ${scores.shape} and latent ${latent.shape}; ` +
              `the registry says ${classes} classes and latent dimension ${dimension}`,
          );
        }
        for (let i = 0; i < batch.length; i++) {
          rows.push({
            scores: scoreData.slice(i * classes, (i + 1) * classes),
            latent: latentData.slice(i * dimension, (i + 1) * dimension),
          });
        }
      } finally {
        scores.dispose();
        latent.dispose();
      }
    }
    return rows;
  }

  #assertUsable(): void {
    if (this.#disposed) throw new Error(`model '${this.identity.id}' has been disposed`);
  }
}

export async function loadTfImageModel(id: string, options: LoadModelOptions = {}): Promise<TfImageModel> {
  const started = performance.now();
  const registry = options.registry ?? registryHolding(id, options.cacheDir);
  const entry = findModelEntry(registry, id);
  const backend = await initTfBackend();
  const files = await loadVerifiedModelFiles(entry, registry, options.cacheDir ? { cacheDir: options.cacheDir } : {});
  const { forward, release, network } =
    entry.format === 'layers'
      ? await buildLayersForward(entry, files.artifacts, options.scoringOnly ?? false)
      : await buildGraphForward(entry, files.artifacts);
  return new TfImageModel({
    entry,
    identity: { id: entry.id, weightSha256: files.weightSha256, backend: backend.choice },
    forward,
    release,
    network,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    loadReport: {
      backend,
      converted: files.converted,
      modelJsonPath: files.modelJsonPath,
      loadSeconds: (performance.now() - started) / 1000,
    },
  });
}

async function buildLayersForward(
  entry: ModelEntry,
  verified: tf.io.ModelArtifacts,
  scoringOnly: boolean,
): Promise<{ forward: ForwardPass; release: () => void; network: tf.LayersModel | tf.GraphModel }> {
  let artifacts = verified;
  if (entry.scores.stripFinalActivation) artifacts = stripLayerActivation(artifacts, entry.scores.node);
  if (scoringOnly) artifacts = (await foldBatchNorms(artifacts, [entry.scores.node, entry.latent.node])).artifacts;
  artifacts = giveBatchNormsUnitScale(artifacts).artifacts;
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  if (scoringOnly) fuseConvolutionActivations(model, [entry.scores.node, entry.latent.node]);
  const heads = tf.model({
    inputs: model.inputs,
    outputs: [model.getLayer(entry.scores.node).output as tf.SymbolicTensor, model.getLayer(entry.latent.node).output as tf.SymbolicTensor],
  });
  return {
    // apply() rather than predict(): it is recorded on the gradient tape, and training=false keeps
    // dropout off exactly as predict() would.
    forward: (input) => {
      const [scores, latent] = heads.apply(input, { training: false }) as tf.Tensor[];
      return { scores: scores as tf.Tensor2D, latent: flattenRows(latent) };
    },
    release: () => model.dispose(),
    network: model,
  };
}

async function buildGraphForward(
  entry: ModelEntry,
  artifacts: tf.io.ModelArtifacts,
): Promise<{ forward: ForwardPass; release: () => void; network: tf.LayersModel | tf.GraphModel }> {
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  return {
    forward: (input) => {
      const [scores, latent] = model.execute(input, [entry.scores.node, entry.latent.node]) as tf.Tensor[];
      return { scores: scores as tf.Tensor2D, latent: flattenRows(latent) };
    },
    release: () => model.dispose(),
    network: model,
  };
}

function flattenRows(tensor: tf.Tensor): tf.Tensor2D {
  return tensor.rank === 2 ? (tensor as tf.Tensor2D) : tf.reshape(tensor, [tensor.shape[0], -1]);
}
