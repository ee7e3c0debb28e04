/**
 * The attacked versions of a set of labelled images, per attack and batch, taken from an
 * `acsr tune` results folder when it holds them (adversarial/<index>-<attack>-<batch key>.npy, the
 * batch key naming the exact images, so a file is only reused for the very same batch) and made
 * here otherwise, as tune makes them: against the undefended classifier, the same seed per unit.
 * Nothing is written into the tune folder. Returns only the useful examples: those the classifier
 * got right when clean and wrong after the attack (a failed attack, or a minimal-norm attack held
 * to its budget that returned the clean image, is no evasion to detect).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readNpy } from '../../io/npy.ts';
import { throwIfCancelled } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { Attack, AttackableClassifier } from '../attacks/attack-types.ts';
import type { EvaluationSample } from '../evaluation/evaluation-samples.ts';
import { batchFromImages, imagesFromBatch } from '../evaluation/image-batch.ts';
import { unitNumber } from '../evaluation/run-evaluation.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import { classifyImages } from '../tuning/defend-units.ts';
import { ADVERSARIAL_FOLDER, UNDEFENDED, tuningBatches, tuningUnitKey } from '../tuning/run-tuning.ts';

export interface AttackedExample {
  readonly attack: string;
  readonly name: string;
  readonly label: number;
  readonly image: ImageArray;
}

export interface AttackedSet {
  readonly examples: AttackedExample[];
  /** per attack: images attacked, and useful examples kept */
  readonly counts: Record<string, { attacked: number; successful: number }>;
  /** batches read from the tune folder, batches attacked here */
  readonly reusedBatches: number;
  readonly attackedBatches: number;
}

export interface AttackedSetRequest {
  readonly samples: readonly EvaluationSample[];
  readonly attacks: readonly Attack[];
  readonly classifier: AttackableClassifier;
  readonly batchSize: number;
  readonly seed: number;
  /** an `acsr tune --out` folder to reuse attacked images from */
  readonly tuneOut?: string;
  readonly signal?: AbortSignal;
  readonly onBatch?: () => void;
}

export async function attackedSet(request: AttackedSetRequest): Promise<AttackedSet> {
  const { attacks, classifier } = request;
  const saved = request.tuneOut === undefined ? [] : await readdir(join(request.tuneOut, ADVERSARIAL_FOLDER)).catch(() => [] as string[]);
  const batches = tuningBatches(request.samples, request.batchSize);
  const examples: AttackedExample[] = [];
  const counts: AttackedSet['counts'] = Object.fromEntries(attacks.map((a) => [a.name, { attacked: 0, successful: 0 }]));
  let reusedBatches = 0;
  let attackedBatches = 0;
  for (const batch of batches) {
    const cleanVerdicts = await classifyImages(
      classifier,
      batch.samples.map((s) => s.image),
    );
    for (const attack of attacks) {
      throwIfCancelled(request.signal);
      const suffix = `-${attack.name.replace(/[^A-Za-z0-9.=-]/g, '_')}-${batch.key.replace('@', '-')}.npy`;
      const file = saved.find((name) => /^\d+-/.test(name) && name.endsWith(suffix) && /^\d+$/.test(name.slice(0, name.length - suffix.length)));
      let images: ImageArray[];
      if (file !== undefined) {
        const array = await readNpy(join(request.tuneOut!, ADVERSARIAL_FOLDER, file));
        const [count, height, width, channels] = array.shape;
        images = imagesFromBatch({ count, height, width, channels: channels as 1 | 3, data: Float32Array.from(array.data) });
        reusedBatches++;
      } else {
        const key = tuningUnitKey(UNDEFENDED, attack.name, batch.key);
        const result = await attack.run({
          classifier,
          images: batchFromImages(batch.samples.map((s) => s.image)),
          labels: batch.samples.map((s) => s.label),
          seed: deriveSeed(request.seed, unitNumber(key)),
          signal: request.signal,
        });
        images = imagesFromBatch(result.adversarial);
        attackedBatches++;
      }
      if (images.length !== batch.samples.length)
        throw new RangeError(`${attack.name}, batch ${batch.key}: ${images.length} attacked images for ${batch.samples.length}`);
      const verdicts = await classifyImages(classifier, images);
      batch.samples.forEach((sample, i) => {
        counts[attack.name].attacked++;
        if (cleanVerdicts[i] !== sample.label || verdicts[i] === sample.label) return;
        counts[attack.name].successful++;
        examples.push({ attack: attack.name, name: sample.name, label: sample.label, image: images[i] });
      });
      request.onBatch?.();
    }
  }
  return { examples, counts, reusedBatches, attackedBatches };
}
