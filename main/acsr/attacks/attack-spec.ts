/**
 * Attack specs as written on the command line and in tables: `name[:EPSILON][:key=value...]`,
 * several joined by commas (`--attacks fgsm-dis:0.08,fgsm-dis:0.04,bim-dis:0.04,deepfool-dis,cw-dis`).
 *
 * Budget units, by the name's suffix (pixels in [0, 1]):
 * - `-dis`: the paper's budgets, the normalised L2 dissimilarity ||x' - x||_2 / ||x||_2 (Guo et al.
 *   2018, STL). fgsm-dis / bim-dis / pgd-dis step with sign(gradient) (the paper's FGSM is the
 *   sign attack); deepfool-dis / cw-dis are the minimal-norm attacks counted only below the budget
 *   (attacks/dissimilarity-cutoff.ts).
 * - none: L2 per-pixel-normalised, ||delta||_2 / sqrt(H W C) (`fgsm:0.04` is an RMS change of
 *   0.04 ~ 10/255 per value, about 2.3x the paper's 0.04 on Fashion-MNIST): a stress setting.
 * - `-linf`: max |delta| (`fgsm-linf:8/255`). A fraction a/b is accepted.
 */
import { UserInputError } from '../../errors/user-input-error.ts';
import type { Attack, NormKind } from './attack-types.ts';
import { withDissimilarityCutoff } from './dissimilarity-cutoff.ts';
import { bimAttack } from './bim.ts';
import { carliniWagnerAttack, type CarliniWagnerOptions } from './carlini-wagner.ts';
import { deepFoolAttack, type DeepFoolOptions } from './deepfool.ts';
import { fgsmAttack } from './fgsm.ts';
import { pgdAttack, type IterativeAttackOptions } from './pgd.ts';

export const ATTACK_NAMES = [
  'fgsm-dis',
  'bim-dis',
  'pgd-dis',
  'deepfool-dis',
  'cw-dis',
  'fgsm',
  'fgsm-linf',
  'bim',
  'bim-linf',
  'pgd',
  'pgd-linf',
  'deepfool',
  'cw',
] as const;
export type AttackName = (typeof ATTACK_NAMES)[number];

/** The 0.04 of the paper's table, in the units of each norm, and torchattacks' Linf default, 8/255. */
export const DEFAULT_DISSIMILARITY_EPSILON = 0.04;
export const DEFAULT_L2_EPSILON = 0.04;
export const DEFAULT_LINF_EPSILON = 8 / 255;

/** The five attack columns of the paper's Table 3, at its budgets. */
export const PAPER_TABLE_ATTACKS = 'fgsm-dis:0.08,fgsm-dis:0.04,bim-dis:0.04,deepfool-dis:0.04,cw-dis:0.04';

export const ATTACK_SPEC_HELP = [
  'SPEC is name[:EPS][:key=value...]; pixels in [0,1]; the suffix says how EPS is measured:',
  "  -dis   the paper's budgets: normalised L2 dissimilarity ||x'-x||_2 / ||x||_2 (default 0.04)",
  '    fgsm-dis[:E]   one sign step sized so that ||delta||_2 = E * ||x||_2 before clipping',
  '    bim-dis[:E], pgd-dis[:E]   sign steps projected onto ||delta||_2 <= E * ||x||_2; steps=N (default 100),',
  "                   alpha=A (each step's ||.||_2 / ||x||_2; default 2.5 * E / steps); pgd-dis starts at a random point",
  '    deepfool-dis[:E], cw-dis[:E]   minimal-norm, counted only where ||delta||_2 / ||x||_2 < E; beyond it the',
  '                   attack failed and the clean image is used; their options as below',
  `    the paper's table: ${PAPER_TABLE_ATTACKS}`,
  "  (none) per-pixel-normalised L2, ||delta||_2 / sqrt(H*W*C) <= E (default 0.04; a stress setting, stronger than the paper's)",
  '    fgsm[:E], bim[:E], pgd[:E]   bim/pgd options: steps=N (default 10), alpha=A (step size, budget units; default E/4)',
  '  -linf  max |delta| <= E (default 8/255; E may be written 8/255)',
  '    fgsm-linf[:E], bim-linf[:E], pgd-linf[:E]   options as fgsm/bim/pgd',
  '  deepfool[:steps=50][:overshoot=0.02]   minimal-norm L2, no budget',
  '  cw[:steps=100][:binary=9][:c=0.001][:kappa=0][:lr=0.01]   Carlini-Wagner L2, minimal-norm, no budget',
].join('\n');

export function parseAttackSpec(spec: string): Attack {
  const [rawName, ...parts] = spec.trim().split(':');
  const name = rawName.toLowerCase();
  if (!(ATTACK_NAMES as readonly string[]).includes(name)) {
    throw new UserInputError(`unknown attack '${rawName}' in '${spec}' (known: ${ATTACK_NAMES.join(', ')})`);
  }
  const options = new Map<string, number>();
  let epsilon: number | undefined;
  parts.forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (index !== 0) throw new UserInputError(`attack '${spec}': '${part}' must be key=value (only the first field is a budget)`);
      epsilon = parseNumber(part, spec, 'budget');
      return;
    }
    const key = part.slice(0, eq).trim().toLowerCase();
    if (options.has(key)) throw new UserInputError(`attack '${spec}': option '${key}' given twice`);
    options.set(key, parseNumber(part.slice(eq + 1), spec, key));
  });
  const take = <K extends string>(allowed: readonly K[]): Partial<Record<K, number>> => {
    for (const key of options.keys()) {
      if (!(allowed as readonly string[]).includes(key)) {
        throw new UserInputError(`attack '${spec}': unknown option '${key}' (${name} takes ${allowed.length ? allowed.join(', ') : 'none'})`);
      }
    }
    return Object.fromEntries(options) as Partial<Record<K, number>>;
  };
  try {
    return build(name as AttackName, epsilon, take, spec);
  } catch (error) {
    if (error instanceof RangeError) throw new UserInputError(`attack '${spec}': ${error.message}`);
    throw error;
  }
}

/** Comma-separated specs, e.g. 'fgsm:0.04,bim,deepfool,cw'. */
export function parseAttackSpecs(list: string): Attack[] {
  const specs = list
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0) throw new UserInputError('no attack given');
  return specs.map(parseAttackSpec);
}

function build(
  name: AttackName,
  epsilon: number | undefined,
  take: <K extends string>(allowed: readonly K[]) => Partial<Record<K, number>>,
  spec: string,
): Attack {
  const norm: NormKind = name.endsWith('-linf') ? 'linf' : name.endsWith('-dis') ? 'dissimilarity' : 'l2';
  const budget = epsilon ?? (norm === 'linf' ? DEFAULT_LINF_EPSILON : norm === 'dissimilarity' ? DEFAULT_DISSIMILARITY_EPSILON : DEFAULT_L2_EPSILON);
  if (name === 'deepfool' || name === 'cw') {
    if (epsilon !== undefined)
      throw new UserInputError(`attack '${spec}': ${name} is minimal-norm and takes no budget (${name}-dis:E counts it only below a dissimilarity E)`);
  } else if (name === 'deepfool-dis' || name === 'cw-dis') {
    if (!(budget > 0)) throw new UserInputError(`attack '${spec}': budget ${budget} is not above 0`);
    const inner = build(name === 'cw-dis' ? 'cw' : 'deepfool', undefined, take, spec);
    return withDissimilarityCutoff(inner, budget);
  } else if (!(budget >= 0) || (norm === 'linf' && budget > 1)) {
    throw new UserInputError(`attack '${spec}': budget ${budget} outside ${norm === 'linf' ? '[0, 1]' : '[0, inf)'}`);
  }
  switch (name) {
    case 'fgsm':
    case 'fgsm-linf':
    case 'fgsm-dis':
      take([]);
      return fgsmAttack(norm, budget);
    case 'bim':
    case 'bim-linf':
    case 'bim-dis':
    case 'pgd':
    case 'pgd-linf':
    case 'pgd-dis': {
      const { steps, alpha } = take(['steps', 'alpha']);
      const options: IterativeAttackOptions = { epsilon: budget, ...(steps !== undefined && { steps }), ...(alpha !== undefined && { stepSize: alpha }) };
      return name.startsWith('bim') ? bimAttack(norm, options) : pgdAttack(norm, options);
    }
    case 'deepfool': {
      const { steps, overshoot } = take(['steps', 'overshoot']);
      const options: DeepFoolOptions = { ...(steps !== undefined && { steps }), ...(overshoot !== undefined && { overshoot }) };
      return deepFoolAttack(options);
    }
    case 'cw': {
      const { steps, binary, c, kappa, lr } = take(['steps', 'binary', 'c', 'kappa', 'lr']);
      const options: CarliniWagnerOptions = {
        ...(steps !== undefined && { steps }),
        ...(binary !== undefined && { binarySteps: binary }),
        ...(c !== undefined && { initialConst: c }),
        ...(kappa !== undefined && { confidence: kappa }),
        ...(lr !== undefined && { learningRate: lr }),
      };
      return carliniWagnerAttack(options);
    }
  }
}

function parseNumber(text: string, spec: string, what: string): number {
  const trimmed = text.trim();
  const fraction = /^([0-9.eE+-]+)\/([0-9.eE+-]+)$/.exec(trimmed);
  const value = fraction ? Number(fraction[1]) / Number(fraction[2]) : trimmed === '' ? NaN : Number(trimmed);
  if (!Number.isFinite(value)) throw new UserInputError(`attack '${spec}': ${what} '${text}' is not a number`);
  return value;
}
