/**
 * The one loop behind FGSM, BIM and PGD (torchattacks 3.5), for every norm:
 *
 *   x_0     = x                                  (PGD: x + a random point of the ball, clipped)
 *   g_t     = d/dx L(x_t)                        L = CE(s, y), or -CE(s, t) when targeted
 *   x_{t+1} = clip01( Proj_ball(x_t + step(g_t)) )
 *
 * step(g) = alpha * sign(g) for Linf; alpha * sqrt(d) * g / ||g||_2 per image for per-pixel L2;
 * for the dissimilarity budget, the paper's sign step scaled per image so that its L2 norm is
 * alpha * ||x||_2: each value with a non-zero gradient moves by alpha * ||x||_2 / sqrt(m), m the
 * number of such values (m = d unless the gradient vanishes somewhere). FGSM is one step with
 * alpha = epsilon, so before clipping its perturbation has exactly the budget's size; the
 * projection is then the identity.
 */
import { throwIfCancelled } from '../../progress/progress.ts';
import { gaussian, seededRandom } from '../random/seeded-random.ts';
import { attackRecords } from './attack-records.ts';
import { assertValidRequest } from './attack-request.ts';
import type { AttackBudget, AttackRequest, AttackResult } from './attack-types.ts';
import { valuesPerImage, withPixels } from './image-batch.ts';
import { absoluteRadius, assertValidBudget, blockL2, clip01, projectAndClip } from './perturbation-norms.ts';
import { crossEntropyAscent } from './score-objectives.ts';

export interface IterativeGradientSettings {
  readonly budget: AttackBudget;
  /** step size, in the budget's units (per-pixel-normalised for L2, relative to ||x||_2 for the dissimilarity) */
  readonly stepSize: number;
  readonly steps: number;
  /** PGD: start from a random point of the ball; BIM and FGSM start at x */
  readonly randomStart: boolean;
}

/** torchattacks' own guard against dividing by a zero gradient norm */
const DIVISION_EPSILON = 1e-10;
/** the seed when a random start is asked for without one, so that runs still repeat */
export const DEFAULT_ATTACK_SEED = 0;

export async function iterativeGradientAttack(settings: IterativeGradientSettings, request: AttackRequest): Promise<AttackResult> {
  assertValidSettings(settings);
  assertValidRequest(request);
  const { classifier, images, labels, targets, signal, onProgress } = request;
  const { budget, steps } = settings;
  const d = valuesPerImage(images);
  const original = images.data;
  const adversarial = Float32Array.from(original);
  if (settings.randomStart) addRandomStart(adversarial, original, budget, d, request.seed ?? DEFAULT_ATTACK_SEED);
  const ascent = crossEntropyAscent(classifier.classCount, labels, targets);

  for (let t = 0; t < steps; t++) {
    throwIfCancelled(signal);
    const { gradient } = await classifier.scoresAndGradient(withPixels(images, adversarial), ascent);
    for (let n = 0; n < images.count; n++) {
      const start = n * d;
      const alpha = absoluteRadius({ norm: budget.norm, epsilon: settings.stepSize }, d, blockL2(original, n, d));
      if (budget.norm === 'linf') {
        for (let i = start; i < start + d; i++) adversarial[i] += alpha * Math.sign(gradient[i]);
      } else if (budget.norm === 'dissimilarity') {
        let moving = 0;
        for (let i = start; i < start + d; i++) if (gradient[i] !== 0) moving++;
        const size = moving === 0 ? 0 : alpha / Math.sqrt(moving);
        for (let i = start; i < start + d; i++) adversarial[i] += size * Math.sign(gradient[i]);
      } else {
        const scale = alpha / (blockL2(gradient, n, d) + DIVISION_EPSILON);
        for (let i = start; i < start + d; i++) adversarial[i] += scale * gradient[i];
      }
    }
    projectAndClip(original, adversarial, budget, d);
    onProgress?.((t + 1) / steps);
  }
  throwIfCancelled(signal);
  const result = withPixels(images, adversarial);
  return { adversarial: result, records: await attackRecords(request, result, new Array(images.count).fill(steps)) };
}

/**
 * torchattacks' random starts: Linf, uniform in the box [-eps, eps]^d; L2 (both kinds), a Gaussian
 * direction scaled to r times the absolute radius with r ~ U(0, 1) (uniform in radius, as
 * torchattacks' PGDL2 draws it, which puts more starts near x than a volume-uniform draw would).
 * Clipped to [0, 1].
 */
function addRandomStart(adversarial: Float32Array, original: Float32Array, budget: AttackBudget, d: number, seed: number): void {
  const random = seededRandom(seed);
  const count = original.length / d;
  for (let n = 0; n < count; n++) {
    const start = n * d;
    const radius = absoluteRadius(budget, d, blockL2(original, n, d));
    if (budget.norm === 'linf') {
      for (let i = start; i < start + d; i++) adversarial[i] = clip01(original[i] + (2 * random() - 1) * radius);
    } else {
      const direction = new Float64Array(d);
      let sum = 0;
      for (let i = 0; i < d; i++) sum += (direction[i] = gaussian(random)) ** 2;
      const scale = (random() * radius) / Math.sqrt(sum);
      for (let i = 0; i < d; i++) adversarial[start + i] = clip01(original[start + i] + scale * direction[i]);
    }
  }
}

export function assertValidSettings(settings: IterativeGradientSettings): void {
  assertValidBudget(settings.budget);
  if (!(Number.isFinite(settings.stepSize) && settings.stepSize >= 0)) throw new RangeError(`step size ${settings.stepSize} is not a non-negative number`);
  if (!(Number.isInteger(settings.steps) && settings.steps >= 1)) throw new RangeError(`steps ${settings.steps} is not a positive integer`);
}
