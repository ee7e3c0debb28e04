/**
 * DeepFool (Moosavi-Dezfooli et al. 2016; torchattacks 3.5 DeepFool), minimal-norm L2. Per image,
 * with f_k = s_k - s_y and w_k = grad f_k at the current point x_i, the classifier is linearised
 * and the nearest linearised boundary is stepped to:
 *
 *   l   = argmin_k |f_k| / ||w_k||_2            (k over the candidate classes)
 *   r_i = |f_l| / ||w_l||_2^2 * w_l
 *   r   = r_0 + ... + r_i                       (accumulated perturbation)
 *   x_{i+1} = clip01(x + (1 + overshoot) * r)   (overshoot on the accumulated perturbation)
 *
 * until the class leaves y (targeted: reaches t, the only candidate), at most `steps` times.
 * Candidates: every other class, or the top `candidates` classes of the clean scores (the
 * original's num_classes = 10) when there are more. On a 2-class linear model the first step lands
 * exactly (1 + overshoot) * |f| / ||w|| from x, the minimal L2 distance times (1 + overshoot).
 */
import { throwIfCancelled } from '../../progress/progress.ts';
import { attackRecords } from './attack-records.ts';
import { assertValidRequest } from './attack-request.ts';
import type { Attack, AttackRequest, AttackResult } from './attack-types.ts';
import { selectImages, valuesPerImage, withPixels } from './image-batch.ts';
import { blockL2, clip01 } from './perturbation-norms.ts';
import { isSuccess, predictedClasses } from './score-objectives.ts';

export interface DeepFoolOptions {
  /** default 50 */
  readonly steps?: number;
  /** default 0.02 */
  readonly overshoot?: number;
  /** classes considered, the true one included; default 10 */
  readonly candidates?: number;
}

export const DEEPFOOL_DEFAULTS = { steps: 50, overshoot: 0.02, candidates: 10 } as const;

export function deepFoolAttack(options: DeepFoolOptions = {}): Attack {
  const settings = { ...DEEPFOOL_DEFAULTS, ...options };
  if (!(Number.isInteger(settings.steps) && settings.steps >= 1)) throw new RangeError(`DeepFool steps ${settings.steps} is not a positive integer`);
  if (!(settings.overshoot >= 0)) throw new RangeError(`DeepFool overshoot ${settings.overshoot} is negative`);
  if (!(Number.isInteger(settings.candidates) && settings.candidates >= 2)) throw new RangeError(`DeepFool candidates ${settings.candidates} is below 2`);
  let name = 'deepfool';
  if (options.steps !== undefined && options.steps !== DEEPFOOL_DEFAULTS.steps) name += `:steps=${options.steps}`;
  if (options.overshoot !== undefined && options.overshoot !== DEEPFOOL_DEFAULTS.overshoot) name += `:overshoot=${options.overshoot}`;
  return { name, budget: null, run: (request) => deepFool(settings, request) };
}

async function deepFool(settings: Required<DeepFoolOptions>, request: AttackRequest): Promise<AttackResult> {
  assertValidRequest(request);
  const { classifier, images, labels, targets, signal, onProgress } = request;
  const K = classifier.classCount;
  const d = valuesPerImage(images);
  const original = images.data;
  const adversarial = Float32Array.from(original);
  const accumulated = new Float64Array(original.length);
  const iterations = new Array<number>(images.count).fill(0);
  if (images.count === 0) return { adversarial: withPixels(images, adversarial), records: [] };
  const candidates = candidateClasses(await classifier.scores(images), K, labels, targets, settings.candidates);
  let active = Array.from({ length: images.count }, (_, n) => n);

  for (let step = 0; step < settings.steps && active.length > 0; step++) {
    throwIfCancelled(signal);
    const current = withPixels(images, adversarial);
    const predicted = predictedClasses(await classifier.scores(selectImages(current, active)), K);
    active = active.filter((n, row) => !isSuccess(predicted[row], labels[n], targets?.[n]));
    if (active.length === 0) break;
    const batch = selectImages(current, active);
    // per active image: the best candidate so far, as |f_l| / ||w_l||, f_l and w_l
    const best = active.map(() => ({ distance: Infinity, f: 0, w: null as Float32Array | null }));
    const candidateCount = candidates[0].length;
    for (let j = 0; j < candidateCount; j++) {
      throwIfCancelled(signal);
      // one vector-Jacobian product gives w_j = grad (s_{k_j} - s_y) for every active image
      const { scores, gradient } = await classifier.scoresAndGradient(batch, () => {
        const weights = new Float32Array(active.length * K);
        active.forEach((n, row) => {
          weights[row * K + candidates[n][j]] += 1;
          weights[row * K + labels[n]] -= 1;
        });
        return weights;
      });
      active.forEach((n, row) => {
        const f = scores[row * K + candidates[n][j]] - scores[row * K + labels[n]];
        const norm = blockL2(gradient, row, d);
        const distance = Math.abs(f) / norm;
        if (norm > 0 && distance < best[row].distance) best[row] = { distance, f, w: gradient.slice(row * d, (row + 1) * d) };
      });
    }
    active.forEach((n, row) => {
      const { f, w } = best[row];
      iterations[n] = step + 1;
      if (!w) return; // flat everywhere: nothing to linearise, the image stays where it is
      const scale = Math.abs(f) / blockL2(w, 0, d) ** 2;
      for (let i = 0; i < d; i++) {
        const at = n * d + i;
        accumulated[at] += scale * w[i];
        adversarial[at] = clip01(original[at] + (1 + settings.overshoot) * accumulated[at]);
      }
    });
    onProgress?.((step + 1) / settings.steps);
  }
  onProgress?.(1);
  const result = withPixels(images, adversarial);
  return { adversarial: result, records: await attackRecords(request, result, iterations) };
}

/**
 * Per image, the classes DeepFool may step towards: targeted, only the target; untargeted, the
 * `limit` best-scoring clean classes (all when there are fewer) other than the true one. Padded to
 * one common length (by repeating the last) so that all images share each gradient call.
 */
function candidateClasses(clean: Float32Array, K: number, labels: ArrayLike<number>, targets: ArrayLike<number> | undefined, limit: number): number[][] {
  const lists: number[][] = [];
  for (let n = 0; n < labels.length; n++) {
    if (targets) {
      lists.push([targets[n]]);
      continue;
    }
    const ranked = Array.from({ length: K }, (_, k) => k).sort((a, b) => clean[n * K + b] - clean[n * K + a]);
    const top = ranked.slice(0, Math.min(limit, K));
    // the true label may be outside the top `limit` (a misclassified image): keep `limit - 1` others
    lists.push(top.filter((k) => k !== labels[n]).slice(0, Math.min(limit, K) - 1));
  }
  const length = Math.max(...lists.map((list) => list.length));
  return lists.map((list) => [...list, ...new Array(length - list.length).fill(list[list.length - 1])]);
}
