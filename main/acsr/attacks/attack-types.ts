/**
 * The contract every attack (issue 4) and every user of attacks (evaluation, BPDA, stage ii robust
 * training, issue 7) shares. Attacks see a classifier only through a vector-Jacobian product, so the
 * same code attacks a tfjs model, a hand-written linear model (closed-form tests) and a purified
 * pipeline with an identity backward pass (BPDA).
 */

/** N images of H x W x C, values in [0, 1], row-major, channels last, one block. */
export interface ImageBatch {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
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

export type NormKind = 'linf' | 'l2';

export interface AttackBudget {
  readonly norm: NormKind;
  /**
   * Linf: max |delta| in [0, 1] pixel units. L2: the per-pixel-normalised norm
   * ||delta||_2 / sqrt(H * W * C), in [0, 1] pixel units (the paper's 0.04 / 0.08 budgets).
   */
  readonly epsilon: number;
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
