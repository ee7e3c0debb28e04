/**
 * FGSM (Goodfellow et al. 2015; torchattacks 3.5 FGSM): one step to the edge of the budget,
 * x' = clip01(x + eps * sign(g)) for Linf, clip01(x + eps * sqrt(H W C) * g / ||g||_2) for
 * per-pixel L2, and for the paper's dissimilarity budget the sign step whose L2 norm is
 * eps * ||x||_2 (so ||x' - x||_2 / ||x||_2 = eps before clipping; clipping can only shrink it).
 * The iterative loop with one step of alpha = eps.
 */
import { formatEpsilon, normSuffix } from './perturbation-norms.ts';
import type { Attack, NormKind } from './attack-types.ts';
import { assertValidSettings, iterativeGradientAttack } from './iterative-gradient.ts';

export function fgsmAttack(norm: NormKind, epsilon: number): Attack {
  const budget = { norm, epsilon };
  const settings = { budget, stepSize: epsilon, steps: 1, randomStart: false };
  assertValidSettings(settings);
  return { name: `fgsm${normSuffix(norm)}:${formatEpsilon(norm, epsilon)}`, budget, run: (request) => iterativeGradientAttack(settings, request) };
}
