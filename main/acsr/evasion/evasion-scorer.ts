/**
 * The evasion score of images `acsr purify` has just purified, for a bundle that carries a
 * calibration: the classifier the calibration watched is loaded once (refused if its weights are
 * not the ones calibrated with), and each image's signals are computed from its purification
 * record (purified image, nearest cluster and distance) plus its JPEG and median versions.
 */
import { UserInputError } from '../../errors/user-input-error.ts';
import type { ImageArray } from '../array/image-array.ts';
import { loadImageClassifier } from '../models/latent-extractor.ts';
import type { ImageClassifier } from '../models/model-contracts.ts';
import type { PurificationResult } from '../purification/purify-image.ts';
import type { BundleManifest } from '../references/bundle-manifest.ts';
import { type EvasionCalibration, type EvasionScore, scoreEvasion } from './evasion-calibration.ts';

// Here for the CLI's import; it lives beside the calibration, which loads no TensorFlow.
export { calibratedSettingsDiffer } from './evasion-calibration.ts';
import { computeSignals } from './evasion-signals.ts';
import { nearestOf } from './image-signals.ts';

export interface EvasionScorer {
  readonly calibration: EvasionCalibration;
  score(image: ImageArray, result: { readonly purified: ImageArray } & Pick<PurificationResult, 'nearestCluster' | 'distances'>): Promise<EvasionScore>;
  dispose(): void;
}

export async function openEvasionScorer(manifest: BundleManifest, bundlePath: string): Promise<EvasionScorer | null> {
  const calibration = manifest.evasionCalibration;
  if (!calibration) return null;
  const classifier: ImageClassifier = await loadImageClassifier(calibration.model.id);
  if (classifier.identity.weightSha256 !== calibration.model.weightSha256) {
    classifier.dispose();
    throw new UserInputError(
      `${bundlePath}: the evasion score was calibrated with ${calibration.model.id} weights ${calibration.model.weightSha256.slice(0, 12)}, ` +
        `the registry has ${classifier.identity.weightSha256.slice(0, 12)}; recalibrate the bundle`,
    );
  }
  return {
    calibration,
    async score(image, result) {
      const [signals] = await computeSignals({
        classifier,
        images: [image],
        purified: [{ ...result.purified, channels: image.channels }],
        nearest: [nearestOf(result)],
        clusterDistances: calibration.clusterDistances,
        jpegQuality: calibration.jpegQuality,
      });
      return scoreEvasion(calibration, signals);
    },
    dispose: () => classifier.dispose(),
  };
}
