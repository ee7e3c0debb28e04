/**
 * The defenses `acsr tune` compares after its sweep, and how each is opened. No defense and ACSR
 * at the chosen point need nothing new: their verdicts are the sweep's own units. Every other
 * defense gets units 'compare:<defense>' (plus '@<point>' for the ones that take the chosen
 * settings, and the dictionary's hash for single-dict), so a later run with another chosen point
 * or another dictionary never reuses verdicts that no longer apply.
 *
 * single-dict's dictionary is learned as `acsr eval` learns it (the bundle's parameters and
 * training data) but WITHOUT the validation images: ACSR's dictionaries never saw them either.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { sha256Hex } from '../../io/hashing.ts';
import type { ProgressReporter } from '../../progress/progress.ts';
import { DEFENSE_NAMES, createDefense, isDefenseName } from '../defenses/create-defense.ts';
import { learnSingleDictionary, loadSingleDictionary, saveSingleDictionary } from '../defenses/single-dictionary.ts';
import { DefenseWorkerPool } from '../evaluation/defense-worker-pool.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { bundleDataSource, validationImagesOf } from '../references/validation-split.ts';
import type { ComparisonEntry } from './defense-comparison.ts';
import type { OpenedDefense } from './defend-units.ts';
import { ACSR, NO_DEFENSE } from './recommend-defense.ts';
import { UNDEFENDED } from './run-tuning.ts';
import { type GridPoint, pointKey } from './tuning-grid.ts';

export const DEFAULT_COMPARISON = ['none', 'jpeg75', 'jpeg50', 'median3', 'bits4', 'single-dict', 'acsr'] as const;
export const SINGLE_DICTIONARY_FILE = 'single-dictionary.npy';
/** Defenses that take the chosen point's settings (Tikhonov lambda; and CBPDN lambda and iterations) */
const TUNED_SETTINGS = new Set(['lowpass', 'single-dict']);

/** 'none,jpeg50,acsr' -> the names, checked; '' or 'none' alone is allowed (no comparison beyond no defense). */
export function parseComparison(text: string): string[] {
  const names = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const name of names) {
    if (!isDefenseName(name)) throw new UserInputError(`--compare: unknown defense '${name}'; the defenses are ${DEFENSE_NAMES.join(', ')}`);
  }
  if (new Set(names).size !== names.length) throw new UserInputError(`--compare names a defense twice (${text})`);
  return names;
}

export function pointSettings(point: GridPoint): string {
  return `Tikhonov lambda ${point.tikhonovLambda}, CBPDN lambda ${point.cscLambda}, ${point.maxIterations} iterations`;
}

/**
 * The comparison's entries, in the order given; ACSR only with a chosen point (without one no
 * ACSR setting kept clean accuracy, and it is left out). `settingsPoint`: the chosen point, or
 * the bundle's defaults, for lowpass and single-dict.
 */
export function comparisonEntries(
  names: readonly string[],
  chosen: GridPoint | null,
  settingsPoint: GridPoint,
  singleDictionarySha256: string | null,
): ComparisonEntry[] {
  return names
    .filter((name) => name !== ACSR || chosen !== null)
    .map((name): ComparisonEntry => {
      if (name === NO_DEFENSE) return { defense: name, owner: UNDEFENDED, settings: '' };
      if (name === ACSR) return { defense: name, owner: pointKey(chosen!), settings: pointSettings(chosen!) };
      if (!TUNED_SETTINGS.has(name)) return { defense: name, owner: `compare:${name}`, settings: '' };
      const dictionary = name === 'single-dict' ? `#${singleDictionarySha256!.slice(0, 12)}` : '';
      const settings = name === 'lowpass' ? `Tikhonov lambda ${settingsPoint.tikhonovLambda}` : pointSettings(settingsPoint);
      return { defense: name, owner: `compare:${name}@${pointKey(settingsPoint)}${dictionary}`, settings };
    });
}

/** Entries whose units the comparison computes (not the sweep's own). */
export function computedEntries(entries: readonly ComparisonEntry[]): ComparisonEntry[] {
  return entries.filter((entry) => entry.owner.startsWith('compare:'));
}

export interface ComparisonOpenContext {
  readonly bundle: ReferenceBundle;
  readonly point: GridPoint;
  /** run single-dict on worker threads, one image each (small images) */
  readonly pooled: boolean;
  readonly threads: number;
  readonly singleDictionaryPath: string | null;
}

export async function openComparisonDefense(name: string, context: ComparisonOpenContext): Promise<OpenedDefense> {
  const { point } = context;
  const purification = { tikhonovLambda: point.tikhonovLambda, cscLambda: point.cscLambda, maxIterations: point.maxIterations };
  if (name === 'single-dict') {
    const path = context.singleDictionaryPath!;
    if (context.pooled) {
      const { pool, defenses } = await DefenseWorkerPool.start(availableParallelism(), {
        defenses: [name],
        bundlePath: context.bundle.path,
        singleDictionaryPath: path,
        purification: { ...purification, threads: 1 },
      });
      return { defense: defenses[0], concurrent: true, close: () => pool.close() };
    }
    const { dictionary } = await loadSingleDictionary(path);
    const defense = await createDefense(name, {
      bundle: context.bundle,
      singleDictionary: dictionary,
      purification: { ...purification, threads: context.threads },
    });
    return { defense, concurrent: false, close: () => defense.dispose() };
  }
  const defense = await createDefense(name, { bundle: context.bundle, purification });
  return {
    defense,
    concurrent: false,
    close: async () => {
      await defense.dispose();
    },
  };
}

/**
 * single-dict's dictionary: the one given, else the one an earlier run kept in `out`, else learned
 * from the bundle's training images minus its validation split, and kept in `out`.
 */
export async function comparisonSingleDictionary(
  given: string | undefined,
  bundle: ReferenceBundle,
  dataPath: string,
  channels: 1 | 3,
  out: string,
  progress: ProgressReporter,
  signal: AbortSignal,
): Promise<{ path: string; sha256: string }> {
  const cached = join(out, SINGLE_DICTIONARY_FILE);
  const path = given ?? (existsSync(cached) ? cached : undefined);
  if (path === undefined) {
    const source = await bundleDataSource(bundle.manifest, dataPath, channels);
    const held = new Set(validationImagesOf(bundle.manifest, source).sourceIndex);
    const training = { ...source, images: source.images.filter((_, i) => !held.has(i)) };
    const learned = await learnSingleDictionary({ source: training, parameters: bundle.manifest.parameters, channels, progress, signal });
    await saveSingleDictionary(cached, learned);
  }
  const loaded = await loadSingleDictionary(path ?? cached);
  return { path: path ?? cached, sha256: sha256Hex(new Uint8Array(loaded.dictionary.data.buffer)) };
}
