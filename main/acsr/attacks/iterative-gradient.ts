/**
 * The one loop behind FGSM, BIM and PGD (torchattacks 3.5), for both norms:
 *
 *   x_0     = x                                  (PGD: x + a random point of the ball, clipped)
 *   g_t     = d/dx L(x_t)                        L = CE(s, y), or -CE(s, t) when targeted
 *   x_{t+1} = clip01( Proj_ball(x_t + alpha * step(g_t)) )
 *
 * step(g) = sign(g) for Linf, g / ||g||_2 per image for L2. FGSM is one step with alpha = epsilon
 * (its projection is then the identity). L2 budgets and step sizes are per-pixel-normalised
 * (perturbation-norms.ts): the absolute ones are epsilon * sqrt(H W C).
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
  /** step size, in the budget's units (per-pixel-normalised for L2) */
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
  const alpha = absoluteRadius({ norm: budget.norm, epsilon: settings.stepSize }, d);
  const original = images.data;
  const adversarial = Float32Array.from(original);
  if (settings.randomStart) addRandomStart(adversarial, original, budget, d, request.seed ?? DEFAULT_ATTACK_SEED);
  const ascent = crossEntropyAscent(classifier.classCount, labels, targets);

  for (let t = 0; t < steps; t++) {
    throwIfCancelled(signal);
    const { gradient } = await classifier.scoresAndGradient(withPixels(images, adversarial), ascent);
    for (let n = 0; n < images.count; n++) {
      const start = n * d;
      if (budget.norm === 'linf') {
        for (let i = start; i < start + d; i++) adversarial[i] += alpha * Math.sign(gradient[i]);
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
 * torchattacks' random starts: Linf, uniform in the box [-eps, eps]^d; L2, a Gaussian direction
 * scaled to radius r * eps with r ~ U(0, 1) (uniform in radius, as torchattacks' PGDL2 draws it,
 * which puts more starts near x than a volume-uniform draw would). Clipped to [0, 1].
 */
function addRandomStart(adversarial: Float32Array, original: Float32Array, budget: AttackBudget, d: number, seed: number): void {
  const random = seededRandom(seed);
  const radius = absoluteRadius(budget, d);
  const count = original.length / d;
  for (let n = 0; n < count; n++) {
    const start = n * d;
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
