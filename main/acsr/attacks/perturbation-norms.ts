/**
 * The geometry every attack shares, per image x of d = H * W * C values:
 * - budgets: Linf in [0, 1] pixel units; L2 per-pixel-normalised, ||delta||_2 / sqrt(d) (absolute
 *   radius epsilon * sqrt(d)); the normalised dissimilarity ||delta||_2 / ||x||_2 of the paper's
 *   budgets (absolute L2 radius epsilon * ||x||_2, so it differs from image to image);
 * - projection onto the budget's ball around the original image, then clipping to [0, 1], the
 *   order torchattacks uses (clipping after projection can only shrink the perturbation).
 */
import type { AttackBudget, ImageBatch, NormKind } from './attack-types.ts';
import { valuesPerImage } from './image-batch.ts';

/**
 * The absolute radius of a budget for an image of `d` values whose own L2 norm is `imageL2` (see
 * the file comment): max |delta| for Linf, ||delta||_2 for the two L2 kinds.
 */
export function absoluteRadius(budget: Pick<AttackBudget, 'norm' | 'epsilon'>, d: number, imageL2: number): number {
  switch (budget.norm) {
    case 'linf':
      return budget.epsilon;
    case 'l2':
      return budget.epsilon * Math.sqrt(d);
    case 'dissimilarity':
      return budget.epsilon * imageL2;
  }
}

/** The name suffix of a norm in attack specs: fgsm (per-pixel L2), fgsm-linf, fgsm-dis. */
export function normSuffix(norm: NormKind): string {
  return norm === 'linf' ? '-linf' : norm === 'dissimilarity' ? '-dis' : '';
}

export function assertValidBudget(budget: AttackBudget): void {
  if (!(Number.isFinite(budget.epsilon) && budget.epsilon >= 0)) throw new RangeError(`attack budget ${budget.epsilon} is not a finite non-negative number`);
  if (budget.norm === 'linf' && budget.epsilon > 1) throw new RangeError(`Linf budget ${budget.epsilon} exceeds 1 (budgets are in [0, 1] pixel units)`);
}

/** ||v||_2 of image n's block of d values. */
export function blockL2(values: Float32Array, n: number, d: number): number {
  let sum = 0;
  for (let i = n * d; i < (n + 1) * d; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/** x' = clip(x + delta, 0, 1), delta first projected onto the budget's ball (in place on `adversarial`). */
export function projectAndClip(original: Float32Array, adversarial: Float32Array, budget: AttackBudget, d: number): void {
  const count = original.length / d;
  for (let n = 0; n < count; n++) {
    const start = n * d;
    const end = start + d;
    const radius = absoluteRadius(budget, d, blockL2(original, n, d));
    if (budget.norm === 'linf') {
      for (let i = start; i < end; i++) {
        const delta = Math.min(radius, Math.max(-radius, adversarial[i] - original[i]));
        adversarial[i] = clip01(original[i] + delta);
      }
    } else {
      let sum = 0;
      for (let i = start; i < end; i++) sum += (adversarial[i] - original[i]) ** 2;
      const norm = Math.sqrt(sum);
      // torchattacks: factor = min(eps / ||delta||, 1)
      const factor = norm > radius ? radius / norm : 1;
      for (let i = start; i < end; i++) adversarial[i] = clip01(original[i] + factor * (adversarial[i] - original[i]));
    }
  }
}

export function clip01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

export interface PerturbationSize {
  /** ||delta||_2 / sqrt(d), [0, 1] units */
  readonly l2PerPixel: number;
  /** max |delta| * 255 */
  readonly linf255: number;
  /** ||delta||_2 / ||x||_2; 0 for an unchanged image, Infinity for a changed all-black one */
  readonly dissimilarity: number;
}

/** Per image: the sizes of its perturbation in the units of AttackRecord. */
export function perturbationSizes(original: ImageBatch, adversarial: ImageBatch): PerturbationSize[] {
  const d = valuesPerImage(original);
  const sizes: PerturbationSize[] = [];
  for (let n = 0; n < original.count; n++) {
    let sum = 0;
    let max = 0;
    let imageSum = 0;
    for (let i = n * d; i < (n + 1) * d; i++) {
      // in float64: float32 rounding of the difference itself is what the image holds
      const delta = adversarial.data[i] - original.data[i];
      sum += delta * delta;
      max = Math.max(max, Math.abs(delta));
      imageSum += original.data[i] * original.data[i];
    }
    const dissimilarity = sum === 0 ? 0 : Math.sqrt(sum) / Math.sqrt(imageSum);
    sizes.push({ l2PerPixel: Math.sqrt(sum / d), linf255: max * 255, dissimilarity });
  }
  return sizes;
}

/**
 * A budget as written in names and tables: a Linf budget that is a whole number of 255ths and has
 * no short decimal form reads as such ('4/255', not '0.01568627450980392'); parseAttackSpec reads both.
 */
export function formatEpsilon(norm: NormKind, epsilon: number): string {
  const plain = String(epsilon);
  const levels = Math.round(epsilon * 255);
  const whole255ths = levels > 0 && Math.abs(epsilon * 255 - levels) < 1e-9;
  return norm === 'linf' && whole255ths && plain.length > 8 ? `${levels}/255` : plain;
}
