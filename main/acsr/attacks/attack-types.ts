/**
 * The contract every attack and every user of attacks (evaluation, BPDA, stage ii robust
 * training) shares. Attacks see a classifier only through a vector-Jacobian product, so the
 * same code attacks a tfjs model, a hand-written linear model (closed-form tests) and a purified
 * pipeline with an identity backward pass (BPDA).
 */

/** N images of H x W x C, values in [0, 1], row-major, channels last, one block. */
export interface ImageBatch {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float32Array;
}

/** Maps the current scores [N x classes] to the weights W of the objective sum_nk W[n,k] s[n,k]. */
export type ScoreWeights = (scores: Float32Array) => Float32Array;

export interface AttackableClassifier {
  readonly classCount: number;
  /** Logits, or log-probabilities for models that expose only softmax (their differences are logit differences). */
  readonly scoreKind: 'logits' | 'log-probabilities';
  /** Scores [N x classes], row-major. */
  scores(batch: ImageBatch): Promise<Float32Array>;
  /**
   * The scores at `batch` and d/dx sum_nk W[n,k] s[n,k](x), with W = weights(scores) held constant
   * (a vector-Jacobian product): enough for cross-entropy, CW's margin and DeepFool's per-class
   * gradients. `gradient` has the layout of batch.data.
   */
  scoresAndGradient(batch: ImageBatch, weights: ScoreWeights): Promise<{ scores: Float32Array; gradient: Float32Array }>;
}

/**
 * How a budget is measured, per image of d = H * W * C values in [0, 1]:
 * - 'linf': max |delta|;
 * - 'l2': the per-pixel-normalised L2 norm ||delta||_2 / sqrt(d) (a stress setting: 0.04 is an
 *   RMS change of 0.04 per value);
 * - 'dissimilarity': the normalised L2 dissimilarity ||delta||_2 / ||x||_2 of Guo et al. 2018 and
 *   STL (Sun et al. 2019), the unit of the paper's 0.04 / 0.08 budgets. Attacks bounded by it step
 *   with sign(gradient), as the paper's FGSM does.
 */
export type NormKind = 'linf' | 'l2' | 'dissimilarity';

export interface AttackBudget {
  readonly norm: NormKind;
  /** the bound, in the norm's units (see NormKind) */
  readonly epsilon: number;
  /**
   * Minimal-norm attacks (DeepFool, CW) held to a budget after the fact: a result counts only
   * where its size is strictly below epsilon; a larger one is a failed attack and the clean image
   * is what the classifier and the defenses see. Absent: the attack is projected into the ball
   * (size <= epsilon).
   */
  readonly cutoff?: true;
}

/** Per image: what the attack did, in the units every table states. */
export interface AttackRecord {
  readonly originalLabel: number;
  /** the class the attacked image gets from the attacked classifier */
  readonly adversarialLabel: number;
  /** untargeted: adversarialLabel != true label; targeted: adversarialLabel == target */
  readonly success: boolean;
  /** ||delta||_2 / sqrt(H W C), [0, 1] units */
  readonly l2PerPixel: number;
  /** ||delta||_2 / ||x||_2, the normalised dissimilarity of the paper's budgets (0 for an unchanged image) */
  readonly dissimilarity: number;
  /**
   * A minimal-norm attack held to a cutoff budget found an example only at this dissimilarity (at
   * or beyond the cutoff): the attack counts as failed and the clean image was returned.
   */
  readonly rejectedDissimilarity?: number;
  /** max |delta| x 255, 0-255 units */
  readonly linf255: number;
  readonly iterations: number;
}

export interface AttackResult {
  readonly adversarial: ImageBatch;
  readonly records: AttackRecord[];
}

export interface AttackRequest {
  readonly classifier: AttackableClassifier;
  readonly images: ImageBatch;
  /** true labels, one per image */
  readonly labels: ArrayLike<number>;
  /** targeted attack: the class each image should be pushed to */
  readonly targets?: ArrayLike<number>;
  /** seeds random starts (PGD) */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** fraction in [0, 1] of this batch's work */
  readonly onProgress?: (fraction: number) => void;
}

export interface Attack {
  /** e.g. 'fgsm-linf:0.03', as written in tables */
  readonly name: string;
  /** the budget the attack is bounded by; null for minimal-norm attacks (DeepFool, CW) */
  readonly budget: AttackBudget | null;
  run(request: AttackRequest): Promise<AttackResult>;
}
