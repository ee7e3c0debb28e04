/**
 * What a tuned bundle tells the investigator about the defense in use: the recommendation `acsr
 * tune` measured on the bundle's validation split (manifest.defenseComparison), and a one-line
 * notice when the defense about to be applied is not the recommended one. Old and untuned bundles
 * carry no comparison and get no notice.
 */
import type { BundleManifest } from '../references/bundle-manifest.ts';

export interface BundleRecommendation {
  readonly defense: string;
  readonly label: string;
  readonly sentence: string;
  /** the defense about to be applied is the recommended one */
  readonly inUse: boolean;
  /** the line to show when it is not, else null */
  readonly notice: string | null;
}

export function bundleRecommendation(manifest: BundleManifest, defenseInUse: string, inUseLabel: string): BundleRecommendation | null {
  const recommendation = manifest.defenseComparison?.recommendation;
  if (!recommendation) return null;
  const inUse = recommendation.defense === defenseInUse;
  return {
    defense: recommendation.defense,
    label: recommendation.label,
    sentence: recommendation.sentence,
    inUse,
    notice: inUse ? null : `${recommendation.sentence} This command applies ${inUseLabel}.`,
  };
}
