/**
 * FGSM (Goodfellow et al. 2015; torchattacks 3.5 FGSM): one step to the edge of the budget,
 * x' = clip01(x + eps * sign(g)) for Linf, clip01(x + eps * g / ||g||_2) for L2 (eps per-pixel-
 * normalised: eps * sqrt(H W C) absolute). The iterative loop with one step of alpha = eps.
 */
import { formatEpsilon } from './perturbation-norms.ts';
import type { Attack, NormKind } from './attack-types.ts';
import { assertValidSettings, iterativeGradientAttack } from './iterative-gradient.ts';

export function fgsmAttack(norm: NormKind, epsilon: number): Attack {
  const budget = { norm, epsilon };
  const settings = { budget, stepSize: epsilon, steps: 1, randomStart: false };
  assertValidSettings(settings);
  return { name: `fgsm${norm === 'linf' ? '-linf' : ''}:${formatEpsilon(norm, epsilon)}`, budget, run: (request) => iterativeGradientAttack(settings, request) };
}
