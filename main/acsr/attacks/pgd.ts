/**
 * PGD (Madry et al. 2018; torchattacks 3.5 PGD and PGDL2): BIM from a seeded random start in the
 * budget's ball. Used by evaluation and by stage ii robust training (issue 7).
 */
import { formatEpsilon } from './perturbation-norms.ts';
import type { Attack, AttackBudget, AttackRequest, AttackResult, NormKind } from './attack-types.ts';
import { assertValidSettings, iterativeGradientAttack, type IterativeGradientSettings } from './iterative-gradient.ts';

export interface IterativeAttackOptions {
  /** per-pixel-normalised for L2, [0, 1] units for Linf (see perturbation-norms.ts) */
  readonly epsilon: number;
  /** default 10 */
  readonly steps?: number;
  /** default epsilon / 4: torchattacks' defaults (alpha 2/255 for eps 8/255; 0.2 for 1.0) */
  readonly stepSize?: number;
}

export const DEFAULT_ITERATIVE_STEPS = 10;
export const DEFAULT_STEP_FRACTION = 0.25;

export function projectedGradientDescent(norm: NormKind, options: IterativeAttackOptions, request: AttackRequest): Promise<AttackResult> {
  return iterativeGradientAttack(iterativeSettings(norm, options, true), request);
}

/** PGD as an Attack: name 'pgd:E' (L2) or 'pgd-linf:E', plus ':steps=S' when not the default. */
export function pgdAttack(norm: NormKind, options: IterativeAttackOptions): Attack {
  const settings = iterativeSettings(norm, options, true);
  return {
    name: iterativeAttackName('pgd', norm, options),
    budget: settings.budget,
    run: (request) => iterativeGradientAttack(settings, request),
  };
}

/** Settings with the defaults filled in, checked now so that a bad spec fails before any image is read. */
export function iterativeSettings(norm: NormKind, options: IterativeAttackOptions, randomStart: boolean): IterativeGradientSettings {
  const budget: AttackBudget = { norm, epsilon: options.epsilon };
  const settings = {
    budget,
    steps: options.steps ?? DEFAULT_ITERATIVE_STEPS,
    stepSize: options.stepSize ?? options.epsilon * DEFAULT_STEP_FRACTION,
    randomStart,
  };
  assertValidSettings(settings);
  return settings;
}

export function iterativeAttackName(kind: string, norm: NormKind, options: IterativeAttackOptions): string {
  let name = `${kind}${norm === 'linf' ? '-linf' : ''}:${formatEpsilon(norm, options.epsilon)}`;
  if (options.steps !== undefined && options.steps !== DEFAULT_ITERATIVE_STEPS) name += `:steps=${options.steps}`;
  if (options.stepSize !== undefined) name += `:alpha=${options.stepSize}`;
  return name;
}
