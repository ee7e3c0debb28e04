/**
 * PGD (Madry et al. 2018; torchattacks 3.5 PGD and PGDL2): BIM from a seeded random start in the
 * budget's ball. Used by evaluation and by stage ii robust training.
 */
import { formatEpsilon, normSuffix } from './perturbation-norms.ts';
import type { Attack, AttackBudget, AttackRequest, AttackResult, NormKind } from './attack-types.ts';
import { assertValidSettings, iterativeGradientAttack, type IterativeGradientSettings } from './iterative-gradient.ts';

export interface IterativeAttackOptions {
  /** in the norm's units (attack-types.ts NormKind) */
  readonly epsilon: number;
  /** default 10; 100 (the paper's BIM) for the dissimilarity budget */
  readonly steps?: number;
  /**
   * Default epsilon / 4 (torchattacks' defaults: alpha 2/255 for eps 8/255; 0.2 for 1.0). For the
   * dissimilarity budget 2.5 * epsilon / steps (Madry et al. 2018's rule): 100 steps reach the
   * ball's surface after 40 and spend the other 60 moving along it.
   */
  readonly stepSize?: number;
}

export const DEFAULT_ITERATIVE_STEPS = 10;
export const DEFAULT_STEP_FRACTION = 0.25;
/** The paper's BIM: 100 steps within the dissimilarity budget. */
export const DEFAULT_DISSIMILARITY_STEPS = 100;
export const DISSIMILARITY_STEP_RULE = 2.5;

/** The steps an iterative attack of this norm takes unless told otherwise. */
export function defaultSteps(norm: NormKind): number {
  return norm === 'dissimilarity' ? DEFAULT_DISSIMILARITY_STEPS : DEFAULT_ITERATIVE_STEPS;
}

function defaultStepSize(norm: NormKind, epsilon: number, steps: number): number {
  return norm === 'dissimilarity' ? (DISSIMILARITY_STEP_RULE * epsilon) / steps : epsilon * DEFAULT_STEP_FRACTION;
}

export function projectedGradientDescent(norm: NormKind, options: IterativeAttackOptions, request: AttackRequest): Promise<AttackResult> {
  return iterativeGradientAttack(iterativeSettings(norm, options, true), request);
}

/** PGD as an Attack: name 'pgd:E' (per-pixel L2), 'pgd-linf:E' or 'pgd-dis:E', plus ':steps=S' when not the default. */
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
  const steps = options.steps ?? defaultSteps(norm);
  const settings = { budget, steps, stepSize: options.stepSize ?? defaultStepSize(norm, options.epsilon, steps), randomStart };
  assertValidSettings(settings);
  return settings;
}

export function iterativeAttackName(kind: string, norm: NormKind, options: IterativeAttackOptions): string {
  let name = `${kind}${normSuffix(norm)}:${formatEpsilon(norm, options.epsilon)}`;
  if (options.steps !== undefined && options.steps !== defaultSteps(norm)) name += `:steps=${options.steps}`;
  if (options.stepSize !== undefined) name += `:alpha=${options.stepSize}`;
  return name;
}
