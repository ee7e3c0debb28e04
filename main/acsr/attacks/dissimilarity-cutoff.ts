/**
 * The paper's budget for minimal-norm attacks (DeepFool and CW "< 0.04"): the attack runs as it
 * always does, and its result counts only where the normalised dissimilarity ||x' - x||_2 / ||x||_2
 * is strictly below the cutoff. Beyond it the attack has failed on that image, and the clean image
 * is returned, so the classifier and every defense see what an attacker held to the budget could
 * send: the unchanged image. The size the attack needed is kept in the record
 * (rejectedDissimilarity), so a table can say how far out of budget the rejected examples were.
 */
import { attackRecords } from './attack-records.ts';
import type { Attack, AttackRequest, AttackResult } from './attack-types.ts';
import { valuesPerImage, withPixels } from './image-batch.ts';
import { formatEpsilon } from './perturbation-norms.ts';

/**
 * `attack` (minimal-norm, named e.g. 'deepfool:steps=10') held to the cutoff; its name becomes
 * '<kind>-dis:<epsilon>[:options]', e.g. 'deepfool-dis:0.04:steps=10'.
 */
export function withDissimilarityCutoff(attack: Attack, epsilon: number): Attack {
  if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new RangeError(`dissimilarity cutoff ${epsilon} is not a positive number`);
  const [kind, ...options] = attack.name.split(':');
  const name = [`${kind}-dis`, formatEpsilon('dissimilarity', epsilon), ...options].join(':');
  return {
    name,
    budget: { norm: 'dissimilarity', epsilon, cutoff: true },
    run: async (request) => applyCutoff(await attack.run(request), request, epsilon),
  };
}

async function applyCutoff(result: AttackResult, request: AttackRequest, epsilon: number): Promise<AttackResult> {
  const d = valuesPerImage(request.images);
  const pixels = Float32Array.from(result.adversarial.data);
  const rejected = new Map<number, number>();
  result.records.forEach((record, n) => {
    if (record.dissimilarity < epsilon) return;
    rejected.set(n, record.dissimilarity);
    pixels.set(request.images.data.subarray(n * d, (n + 1) * d), n * d);
  });
  if (rejected.size === 0) return result;
  const adversarial = withPixels(request.images, pixels);
  const records = await attackRecords(
    request,
    adversarial,
    result.records.map((r) => r.iterations),
  );
  return {
    adversarial,
    records: records.map((record, n) => (rejected.has(n) ? { ...record, rejectedDissimilarity: rejected.get(n)! } : record)),
  };
}
