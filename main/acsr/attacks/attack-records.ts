/** The per-image AttackRecords of a finished attack, from one final forward pass. */
import type { AttackableClassifier, AttackRecord, AttackRequest, ImageBatch } from './attack-types.ts';
import { perturbationSizes } from './perturbation-norms.ts';
import { isSuccess, predictedClasses } from './score-objectives.ts';

export async function attackRecords(
  request: Pick<AttackRequest, 'classifier' | 'images' | 'labels' | 'targets'>,
  adversarial: ImageBatch,
  iterations: ArrayLike<number>,
): Promise<AttackRecord[]> {
  const classifier: AttackableClassifier = request.classifier;
  const predicted = predictedClasses(await classifier.scores(adversarial), classifier.classCount);
  const sizes = perturbationSizes(request.images, adversarial);
  return sizes.map((size, n) => ({
    originalLabel: request.labels[n],
    adversarialLabel: predicted[n],
    success: isSuccess(predicted[n], request.labels[n], request.targets?.[n]),
    l2PerPixel: size.l2PerPixel,
    linf255: size.linf255,
    dissimilarity: size.dissimilarity,
    iterations: iterations[n],
  }));
}
