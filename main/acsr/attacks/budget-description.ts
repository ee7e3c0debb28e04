/**
 * How a budget reads in every table, plot, record and screen: "eps 0.04" means nothing until one
 * says in which norm it is measured and how it is normalised, and the paper's 0.04 (a normalised
 * dissimilarity) is about 2.3x smaller than a per-pixel-normalised 0.04 on Fashion-MNIST.
 */
import type { AttackBudget, NormKind } from './attack-types.ts';

/** The normalisation alone, e.g. for a plot axis or a legend. */
export function normalisationOf(norm: NormKind): string {
  switch (norm) {
    case 'dissimilarity':
      return "L2 dissimilarity ||x'-x||_2 / ||x||_2";
    case 'l2':
      return "per-pixel L2 ||x'-x||_2 / sqrt(H W C)";
    case 'linf':
      return "Linf max |x'-x|";
  }
}

/** One line per budget, pixels in [0, 1]. */
export function describeBudget(budget: AttackBudget | null): string {
  if (budget === null) return 'minimal-norm attack, no budget (achieved sizes reported)';
  const { norm, epsilon } = budget;
  if (budget.cutoff) return `minimal-norm, counted only where ${normalisationOf(norm)} < ${epsilon} (else failed: the clean image is used)`;
  switch (norm) {
    case 'dissimilarity':
      return `${normalisationOf(norm)} <= ${epsilon} (sign steps; the paper's budget)`;
    case 'l2':
      return `${normalisationOf(norm)} <= ${epsilon} (stress setting)`;
    case 'linf':
      return `${normalisationOf(norm)} <= ${epsilon} (${(epsilon * 255).toFixed(1)}/255)`;
  }
}

/** A compact form for wide tables, beside a legend or a fuller table: "||x'-x||/||x|| <= 0.08". */
export function shortBudget(budget: AttackBudget | null): string {
  if (budget === null) return 'no budget';
  const { norm, epsilon } = budget;
  const size = norm === 'dissimilarity' ? "||x'-x||/||x||" : norm === 'l2' ? "||x'-x||/sqrt(HWC)" : "max|x'-x|";
  return budget.cutoff ? `${size} < ${epsilon}, else clean` : `${size} <= ${epsilon}`;
}

/** The legend under a table or plot that names attacks by spec: what each suffix means. */
export const SPEC_SUFFIX_LEGEND =
  "Budgets, pixels in [0, 1]: '-dis' attacks use the paper's normalised L2 dissimilarity ||x'-x||_2 / ||x||_2 " +
  '(deepfool-dis / cw-dis count only below it, else the clean image is used); unsuffixed fgsm/bim/pgd use the ' +
  "per-pixel-normalised L2 ||x'-x||_2 / sqrt(H W C); '-linf' attacks use max |x'-x|.";
