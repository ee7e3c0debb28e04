/**
 * The adaptive attacker's view of a defended classifier (Athalye et al. 2018): the forward pass is
 * the real one, f(purify(x)); the backward pass treats the purifier as the identity (BPDA), since
 * CBPDN, JPEG or a median filter have no useful gradient. For a randomised defense (TVM's pixel
 * mask) the gradient is averaged over fresh draws of the randomness (EOT), so the attacker follows
 * the expected loss rather than one draw.
 */
import type { AttackableClassifier, ImageBatch, ScoreWeights } from '../attacks/attack-types.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import type { Defense } from '../defenses/defense.ts';
import { batchFromImages, imagesFromBatch } from './image-batch.ts';

export class BpdaClassifier implements AttackableClassifier {
  readonly classCount: number;
  readonly scoreKind: 'logits' | 'log-probabilities';
  readonly #inner: AttackableClassifier;
  readonly #defense: Defense;
  readonly #eotSamples: number;
  readonly #seed: number;
  readonly #signal: AbortSignal | undefined;
  readonly #concurrent: boolean;
  #draws = 0;

  /**
   * `concurrent`: the defense's purify() may run for several images at once (pooled on worker
   * threads). An unpooled CBPDN defense shares one solver and its buffers between calls, and two
   * images coded at once through it come out as garbage (NaN), so it is called one image at a time.
   */
  constructor(inner: AttackableClassifier, defense: Defense, options: { eotSamples: number; seed: number; signal?: AbortSignal; concurrent: boolean }) {
    this.classCount = inner.classCount;
    this.scoreKind = inner.scoreKind;
    this.#inner = inner;
    this.#defense = defense;
    this.#eotSamples = defense.randomized ? Math.max(1, options.eotSamples) : 1;
    this.#seed = options.seed;
    this.#signal = options.signal;
    this.#concurrent = options.concurrent;
  }

  async scores(batch: ImageBatch): Promise<Float32Array> {
    return this.#inner.scores(await this.#purify(batch));
  }

  async scoresAndGradient(batch: ImageBatch, weights: ScoreWeights): Promise<{ scores: Float32Array; gradient: Float32Array }> {
    const scores = new Float32Array(batch.count * this.classCount);
    const gradient = new Float32Array(batch.data.length);
    for (let draw = 0; draw < this.#eotSamples; draw++) {
      const purified = await this.#purify(batch);
      // Identity backward: d f(purify(x)) / dx is taken as (d f / d x)(purify(x)).
      const at = await this.#inner.scoresAndGradient(purified, weights);
      for (let i = 0; i < scores.length; i++) scores[i] += at.scores[i] / this.#eotSamples;
      for (let i = 0; i < gradient.length; i++) gradient[i] += at.gradient[i] / this.#eotSamples;
    }
    return { scores, gradient };
  }

  async #purify(batch: ImageBatch): Promise<ImageBatch> {
    const images = imagesFromBatch(batch);
    const seeds = images.map(() => deriveSeed(this.#seed, this.#draws++));
    const purifyOne = (i: number) => this.#defense.purify(images[i], { seed: seeds[i], signal: this.#signal });
    // A pooled defense takes them all at once and spreads them over its workers (timings are not kept here).
    if (this.#concurrent) return batchFromImages((await Promise.all(images.map((_, i) => purifyOne(i)))).map((output) => output.image));
    const purified: Awaited<ReturnType<typeof purifyOne>>[] = [];
    for (let i = 0; i < images.length; i++) purified.push(await purifyOne(i));
    return batchFromImages(purified.map((output) => output.image));
  }
}
