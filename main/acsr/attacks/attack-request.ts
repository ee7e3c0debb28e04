/** Checks on an AttackRequest every attack makes before spending any model time. */
import type { AttackRequest } from './attack-types.ts';
import { assertValidBatch } from './image-batch.ts';

export function assertValidRequest(request: AttackRequest): void {
  const { images, labels, targets, classifier } = request;
  assertValidBatch(images, 'images to attack');
  const checkClasses = (values: ArrayLike<number>, what: string) => {
    if (values.length !== images.count) throw new RangeError(`${values.length} ${what} for ${images.count} images`);
    for (let n = 0; n < values.length; n++) {
      const value = values[n];
      if (!Number.isInteger(value) || value < 0 || value >= classifier.classCount) {
        throw new RangeError(`${what} ${value} (image ${n}) is not a class index in 0..${classifier.classCount - 1}`);
      }
    }
  };
  checkClasses(labels, 'labels');
  if (targets) checkClasses(targets, 'targets');
}
