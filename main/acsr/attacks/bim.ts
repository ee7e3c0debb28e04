/** BIM (Kurakin et al. 2017; torchattacks 3.5 BIM): PGD's steps without the random start. */
import type { Attack, NormKind } from './attack-types.ts';
import { iterativeGradientAttack } from './iterative-gradient.ts';
import { type IterativeAttackOptions, iterativeAttackName, iterativeSettings } from './pgd.ts';

export function bimAttack(norm: NormKind, options: IterativeAttackOptions): Attack {
  const settings = iterativeSettings(norm, options, false);
  return { name: iterativeAttackName('bim', norm, options), budget: settings.budget, run: (request) => iterativeGradientAttack(settings, request) };
}
