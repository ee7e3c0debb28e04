import { UserInputError } from '../../errors/user-input-error.ts';
import { type LatentExtractor, loadLatentExtractor } from '../models/latent-extractor.ts';
import { DEFAULT_PURIFICATION_OPTIONS, type PurificationOptions } from '../purification/purification-options.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { bundlePurificationDefaults, tunedDefaultsNote } from '../tuning/purification-defaults.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { createAcsrDefense } from './acsr-defense.ts';
import { createBitDepthDefense } from './bit-depth-defense.ts';
import type { Defense } from './defense.ts';
import { createIdentityDefense } from './identity-defense.ts';
import { createJpegDefense } from './jpeg-defense.ts';
import { createLowPassDefense } from './lowpass-defense.ts';
import { createMedianFilterDefense } from './median-filter-defense.ts';
import { createSingleDictionaryDefense } from './single-dictionary-defense.ts';
import { createTvmDefense, type TvmOptions } from './tvm-defense.ts';

/**
 * Every defense by the name the command line and the tables use (method.md, "Baselines to beat",
 * then ACSR itself), and what each needs. `purification` reaches lowpass (its Tikhonov lambda),
 * single-dict and acsr identically, so the three differ only in what they do with the split.
 * With a bundle tuned by `acsr tune`, its tuned Tikhonov lambda, CBPDN lambda and iteration cap
 * are the defaults of all three (options given in `purification` still win): single-dict and
 * lowpass then differ from acsr in the dictionary and the high part only, not in settings that
 * were tuned for acsr alone, and their legends say so.
 * Call dispose() on every defense made here: single-dict and acsr keep their CBPDN engine between
 * images, and with purification.threads > 1 its worker threads keep the process alive until then.
 */
export const DEFENSE_NAMES = ['none', 'jpeg75', 'jpeg50', 'median3', 'bits4', 'tvm', 'lowpass', 'single-dict', 'acsr'] as const;
export type DefenseName = (typeof DEFENSE_NAMES)[number];

export interface DefenseFactoryContext {
  /** acsr: the reference bundle */
  readonly bundle?: ReferenceBundle;
  /** acsr: R(x); by default the bundle's extractor is loaded, and released by the defense's dispose() */
  readonly extractor?: LatentExtractor;
  /** single-dict: learnSingleDictionary(...) or loadSingleDictionary(path).dictionary */
  readonly singleDictionary?: ConvDictionary<Float64Array>;
  /** lowpass (tikhonovLambda), single-dict and acsr; no clusterOverride: a defense selects for itself */
  readonly purification?: Partial<PurificationOptions>;
  readonly tvm?: Partial<TvmOptions>;
}

export function isDefenseName(name: string): name is DefenseName {
  return (DEFENSE_NAMES as readonly string[]).includes(name);
}

export async function createDefense(name: string, context: DefenseFactoryContext = {}): Promise<Defense> {
  if (!isDefenseName(name)) throw new UserInputError(`unknown defense '${name}'; the defenses are ${DEFENSE_NAMES.join(', ')}`);
  if (context.purification?.clusterOverride !== undefined) {
    throw new UserInputError(
      `defense '${name}': purification options may not fix a cluster (clusterOverride '${context.purification.clusterOverride}'); a defense selects its own`,
    );
  }
  const tuned = context.bundle ? bundlePurificationDefaults(context.bundle.manifest) : {};
  const purification: PurificationOptions = { ...DEFAULT_PURIFICATION_OPTIONS, ...tuned, ...context.purification };
  const defense = await createNamedDefense(name, context, purification);
  const tunedNote = ['lowpass', 'single-dict', 'acsr'].includes(name) ? tunedDefaultsNote(context.bundle?.manifest) : '';
  // A cap given for this run (acsr eval --max-iterations) must show in the legend, or the table would claim the tuned one.
  const capGiven = context.purification?.maxIterations;
  const capNote =
    ['single-dict', 'acsr'].includes(name) && capGiven !== undefined && capGiven !== tuned.maxIterations
      ? `; ${capGiven} CBPDN iteration${capGiven === 1 ? '' : 's'} in this run`
      : '';
  const note = tunedNote + capNote;
  return note === '' ? defense : { ...defense, description: `${defense.description}${note}` };
}

async function createNamedDefense(name: DefenseName, context: DefenseFactoryContext, purification: PurificationOptions): Promise<Defense> {
  switch (name) {
    case 'none':
      return createIdentityDefense();
    case 'jpeg75':
      return createJpegDefense(75);
    case 'jpeg50':
      return createJpegDefense(50);
    case 'median3':
      return createMedianFilterDefense();
    case 'bits4':
      return createBitDepthDefense(4);
    case 'tvm':
      return createTvmDefense(context.tvm);
    case 'lowpass':
      return createLowPassDefense(purification.tikhonovLambda);
    case 'single-dict':
      if (!context.singleDictionary) {
        throw new UserInputError(
          "defense 'single-dict' needs its dictionary: learn it with learnSingleDictionary (from the bundle's training data and parameters) or load a saved one with loadSingleDictionary",
        );
      }
      return createSingleDictionaryDefense(context.singleDictionary, purification);
    case 'acsr': {
      const { bundle } = context;
      if (!bundle) throw new UserInputError("defense 'acsr' needs a reference bundle (loadReferenceBundle, e.g. models/default-bundle)");
      const extractor = context.extractor ?? (await loadLatentExtractor(bundle.manifest.extractor.id));
      return createAcsrDefense(bundle, extractor, purification, context.extractor === undefined);
    }
  }
}
