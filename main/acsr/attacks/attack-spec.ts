/**
 * Attack specs as written on the command line and in tables: `name[:EPSILON][:key=value...]`,
 * several joined by commas (`--attacks fgsm:0.04,bim,deepfool,cw`).
 *
 * Budget units (the paper's): an unsuffixed name is the L2 attack with a per-pixel-normalised
 * budget, ||delta||_2 / sqrt(H * W * C) with pixels in [0, 1] (`fgsm:0.04` moves each image by an
 * L2 norm of 0.04 * sqrt(H W C), i.e. an RMS change of 0.04 ~ 10/255 per value); the `-linf`
 * names take max |delta| in [0, 1] units (`fgsm-linf:8/255`). A fraction a/b is accepted.
 */
import { UserInputError } from '../../errors/user-input-error.ts';
import type { Attack, NormKind } from './attack-types.ts';
import { bimAttack } from './bim.ts';
import { carliniWagnerAttack, type CarliniWagnerOptions } from './carlini-wagner.ts';
import { deepFoolAttack, type DeepFoolOptions } from './deepfool.ts';
import { fgsmAttack } from './fgsm.ts';
import { pgdAttack, type IterativeAttackOptions } from './pgd.ts';

export const ATTACK_NAMES = ['fgsm', 'fgsm-linf', 'bim', 'bim-linf', 'pgd', 'pgd-linf', 'deepfool', 'cw'] as const;
export type AttackName = (typeof ATTACK_NAMES)[number];

/** The paper's L2 budget (per-pixel-normalised) and torchattacks' Linf default, 8/255. */
export const DEFAULT_L2_EPSILON = 0.04;
export const DEFAULT_LINF_EPSILON = 8 / 255;

export const ATTACK_SPEC_HELP = [
  'SPEC is name[:EPS][:key=value...]:',
  '  fgsm[:E], bim[:E], pgd[:E]   L2, budget per-pixel-normalised: ||delta||_2 / sqrt(H*W*C) <= E, pixels in [0,1] (default 0.04, the paper\'s)',
  '  fgsm-linf[:E], bim-linf[:E], pgd-linf[:E]   Linf, max |delta| <= E in [0,1] units (default 8/255; E may be written 8/255)',
  '  bim/pgd options: steps=N (default 10), alpha=A (step size, budget units; default E/4)',
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
  const specs = list.split(',').map((spec) => spec.trim()).filter((spec) => spec !== '');
  if (specs.length === 0) throw new UserInputError('no attack given');
  return specs.map(parseAttackSpec);
}

function build(
  name: AttackName,
  epsilon: number | undefined,
  take: <K extends string>(allowed: readonly K[]) => Partial<Record<K, number>>,
  spec: string,
): Attack {
  const norm: NormKind = name.endsWith('-linf') ? 'linf' : 'l2';
  const budget = epsilon ?? (norm === 'linf' ? DEFAULT_LINF_EPSILON : DEFAULT_L2_EPSILON);
  if (name === 'deepfool' || name === 'cw') {
    if (epsilon !== undefined) throw new UserInputError(`attack '${spec}': ${name} is minimal-norm and takes no budget`);
  } else if (!(budget >= 0) || (norm === 'linf' && budget > 1)) {
    throw new UserInputError(`attack '${spec}': budget ${budget} outside ${norm === 'linf' ? '[0, 1]' : '[0, inf)'}`);
  }
  switch (name) {
    case 'fgsm':
    case 'fgsm-linf':
      take([]);
      return fgsmAttack(norm, budget);
    case 'bim':
    case 'bim-linf':
    case 'pgd':
    case 'pgd-linf': {
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
