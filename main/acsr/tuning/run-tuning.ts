/**
 * The sweep's loop. Each validation batch is attacked ONCE per attack, against the undefended
 * classifier (the non-adaptive setting `acsr eval` and the paper report); the adversarial images
 * are kept in --out (adversarial/*.npy) so that every grid point purifies exactly the same images
 * and a resumed run need not attack again. Then, per grid point, the clean and attacked images go
 * through the acsr defense at that point's settings and are classified. Every finished unit goes
 * to the evaluation journal (fsynced JSON lines), so a killed sweep resumes where it stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageArray } from '../array/image-array.ts';
import { readNpy, writeNpy } from '../../io/npy.ts';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import type { Attack, AttackableClassifier, ImageBatch } from '../attacks/attack-types.ts';
import type { DefendedPrediction, EvaluationJournal } from '../evaluation/evaluation-journal.ts';
import { type EvaluationSample, sampleBatches, samplesFingerprint } from '../evaluation/evaluation-samples.ts';
import { batchFromImages, imagesFromBatch } from '../evaluation/image-batch.ts';
import { unitNumber } from '../evaluation/run-evaluation.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import { CLEAN_ROW, type OpenedDefense, type TuningBatch, classifyImages, defendUnits, tuningUnitKey } from './defend-units.ts';
import { type GridPoint, pointKey } from './tuning-grid.ts';

export { CLEAN_ROW, type OpenedDefense, tuningUnitKey };

export const UNDEFENDED = 'undefended';
export const ADVERSARIAL_FOLDER = 'adversarial';

export interface TuningRunRequest {
  readonly samples: readonly EvaluationSample[];
  readonly classifier: AttackableClassifier;
  readonly attacks: readonly Attack[];
  readonly points: readonly GridPoint[];
  readonly batchSize: number;
  readonly seed: number;
  readonly journal: EvaluationJournal;
  readonly out: string;
  readonly openDefense: (point: GridPoint) => Promise<OpenedDefense>;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
}

export function tuningBatches(samples: readonly EvaluationSample[], batchSize: number): TuningBatch[] {
  return sampleBatches(samples, batchSize).map((batch, b) => ({ ...batch, key: `b${b}@${samplesFingerprint(batch.samples).slice(0, 16)}` }));
}

/** What the sweep worked on, for the defense comparison that follows it on the same images. */
export interface SweptImages {
  readonly batches: readonly TuningBatch[];
  /** CLEAN_ROW, then the attacks' names */
  readonly rows: readonly string[];
  /** the attacked images, [attack][batch] */
  readonly adversarial: readonly ImageArray[][][];
}

export async function runTuning(request: TuningRunRequest): Promise<SweptImages> {
  const { journal, attacks, points, signal } = request;
  const progress = request.progress ?? silentProgress;
  const batches = tuningBatches(request.samples, request.batchSize);
  const rows = [CLEAN_ROW, ...attacks.map((a) => a.name)];
  const total = batches.length * rows.length * (1 + points.length);
  let done = 0;
  const step = (stage: string, message: string) => progress.report({ stage, fraction: done / total, message });

  // the attacked images of every batch, [attack][batch]
  const adversarial: ImageArray[][][] = attacks.map(() => []);
  for (const batch of batches) {
    throwIfCancelled(signal);
    step(UNDEFENDED, `clean, images ${batch.first + 1}-${batch.first + batch.samples.length}`);
    const cleanKey = tuningUnitKey(UNDEFENDED, CLEAN_ROW, batch.key);
    if (!journal.has(cleanKey)) {
      const predicted = await classifyImages(
        request.classifier,
        batch.samples.map((s) => s.image),
      );
      journal.record({
        unit: cleanKey,
        row: CLEAN_ROW,
        attackSeconds: 0,
        outcomes: batch.samples.map((s, i) => ({ sample: batch.first + i, label: s.label, defended: [undefended(predicted[i])] })),
      });
    }
    done++;
    for (const [a, attack] of attacks.entries()) {
      throwIfCancelled(signal);
      step(UNDEFENDED, `${attack.name}, images ${batch.first + 1}-${batch.first + batch.samples.length}`);
      adversarial[a].push(await attackedBatch(request, attack, a, batch));
      done++;
    }
  }

  for (const point of points) {
    await defendUnits({
      owner: pointKey(point),
      open: () => request.openDefense(point),
      batches,
      rows,
      adversarial,
      classifier: request.classifier,
      journal,
      seed: request.seed,
      step,
      onUnit: () => done++,
      signal,
    });
  }
  progress.report({ stage: 'sweep', fraction: 1 });
  return { batches, rows, adversarial };
}

/** One attack on one batch, from the files of an earlier run when the journal has it. */
async function attackedBatch(request: TuningRunRequest, attack: Attack, attackIndex: number, batch: TuningBatch): Promise<ImageArray[]> {
  const key = tuningUnitKey(UNDEFENDED, attack.name, batch.key);
  const file = join(request.out, ADVERSARIAL_FOLDER, `${attackIndex}-${attack.name.replace(/[^A-Za-z0-9.=-]/g, '_')}-${batch.key.replace('@', '-')}.npy`);
  if (request.journal.has(key) && existsSync(file)) {
    const saved = await readNpy(file);
    const [count, height, width, channels] = saved.shape;
    return imagesFromBatch({ count, height, width, channels: channels as 1 | 3, data: Float32Array.from(saved.data) });
  }
  const started = performance.now();
  const images: ImageBatch = batchFromImages(batch.samples.map((s) => s.image));
  const result = await attack.run({
    classifier: request.classifier,
    images,
    labels: batch.samples.map((s) => s.label),
    seed: deriveSeed(request.seed, unitNumber(key)),
    signal: request.signal,
  });
  const attackSeconds = (performance.now() - started) / 1000;
  const { count, height, width, channels, data } = result.adversarial;
  // the images first, then the journal line: a journal entry always has its images on disk
  await writeNpy(file, { shape: [count, height, width, channels], data: Float32Array.from(data) });
  const attacked = imagesFromBatch(result.adversarial);
  const predicted = await classifyImages(request.classifier, attacked);
  request.journal.record({
    unit: key,
    row: attack.name,
    attackSeconds,
    outcomes: batch.samples.map((s, i) => ({ sample: batch.first + i, label: s.label, attack: result.records[i], defended: [undefended(predicted[i])] })),
  });
  return attacked;
}

function undefended(predicted: number): DefendedPrediction {
  return { defense: 'none', predicted, seconds: 0 };
}
