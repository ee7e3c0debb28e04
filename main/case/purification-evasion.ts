/**
 * The evasion score of an evidence item as its purification run records it: the bundle's
 * calibrated score ("was this image made to fool the filter?", main/acsr/evasion/), computed from
 * the run's own purified image and nearest cluster plus the JPEG and median squeezers, with the
 * calibration that gave it named. The scorer (and the classifier it holds) is opened by the
 * caller, so the case module stays free of TensorFlow.
 */
import type { ImageArray } from '../acsr/array/image-array.ts';
import { calibratedSettingsDiffer } from '../acsr/evasion/evasion-calibration.ts';
import type { EvasionScorer } from '../acsr/evasion/evasion-scorer.ts';
import type { PurificationResult } from '../acsr/purification/purify-image.ts';
import type { EvasionRecord } from './records.ts';

export async function evasionOfRun(
  scorer: EvasionScorer,
  image: ImageArray,
  result: { readonly purified: ImageArray } & Pick<PurificationResult, 'nearestCluster' | 'distances'>,
  used: { tikhonovLambda: number; cscLambda: number; maxIterations: number },
): Promise<EvasionRecord> {
  const { calibration } = scorer;
  const score = await scorer.score(image, result);
  return {
    score: score.score,
    threshold: score.threshold,
    suspected: score.suspected,
    falsePositiveTarget: score.falsePositiveTarget,
    signals: score.signals.map(({ name, value, contribution }) => ({ name, value, contribution })),
    bias: calibration.bias,
    calibration: {
      version: calibration.version,
      fittingDataSha256: calibration.data.sha256,
      classifier: { id: calibration.model.id, weightSha256: calibration.model.weightSha256 },
    },
    settingsDiffer: calibratedSettingsDiffer(calibration, used),
  };
}
