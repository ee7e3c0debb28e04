/**
 * Which purification settings apply to a bundle: an explicit option, else the value `acsr tune`
 * chose on the bundle's validation split (manifest.purificationDefaults), else the built-in
 * default. Callers record the `sources`, so a purification record says where each value came from.
 */
import { DEFAULT_PURIFICATION_OPTIONS, type PurificationOptions } from '../purification/purification-options.ts';
import type { BundleManifest, PurificationDefaults } from '../references/bundle-manifest.ts';

export const TUNED_KEYS = ['tikhonovLambda', 'cscLambda', 'maxIterations'] as const;
type TunedKey = (typeof TUNED_KEYS)[number];
export type PurificationValueSource = 'option' | 'bundle-tuning' | 'default';

export interface ResolvedPurification {
  readonly options: PurificationOptions;
  readonly sources: Record<TunedKey, PurificationValueSource>;
  /** the bundle's tuning record when it supplied any value, else null */
  readonly tuning: PurificationDefaults['tuning'] | null;
}

/** The tuned values of a bundle, as options to spread under explicit ones ({} for an untuned bundle). */
export function bundlePurificationDefaults(manifest: BundleManifest): Partial<PurificationOptions> {
  const tuned = manifest.purificationDefaults;
  if (!tuned) return {};
  return { tikhonovLambda: tuned.tikhonovLambda, cscLambda: tuned.cscLambda, maxIterations: tuned.maxIterations };
}

export function resolvePurificationOptions(manifest: BundleManifest, explicit: Partial<PurificationOptions>): ResolvedPurification {
  const tuned = bundlePurificationDefaults(manifest);
  const given = Object.fromEntries(Object.entries(explicit).filter(([, value]) => value !== undefined)) as Partial<PurificationOptions>;
  const options: PurificationOptions = { ...DEFAULT_PURIFICATION_OPTIONS, ...tuned, ...given };
  const sourceOf = (key: TunedKey): PurificationValueSource => (given[key] !== undefined ? 'option' : tuned[key] !== undefined ? 'bundle-tuning' : 'default');
  const sources = { tikhonovLambda: sourceOf('tikhonovLambda'), cscLambda: sourceOf('cscLambda'), maxIterations: sourceOf('maxIterations') };
  const usedTuning = Object.values(sources).includes('bundle-tuning');
  return { options, sources, tuning: usedTuning ? manifest.purificationDefaults!.tuning : null };
}

/** For a defense's legend: 'tuned on the bundle's validation split: ...', or '' for an untuned bundle. */
export function tunedDefaultsNote(manifest: BundleManifest | undefined): string {
  const tuned = manifest?.purificationDefaults;
  if (!tuned) return '';
  return `; bundle defaults tuned on its validation split (Tikhonov ${tuned.tikhonovLambda}, CBPDN ${tuned.cscLambda}, ${tuned.maxIterations} iterations)`;
}
