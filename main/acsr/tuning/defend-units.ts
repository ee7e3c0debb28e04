/**
 * One defense over the validation batches: for every batch, the rows (clean and each attack) the
 * journal lacks go through the defense, then the classifier, and are recorded as units
 * '<owner>/<row>/<batch>'. The sweep runs it per grid point (owner: the point's key), the defense
 * comparison per baseline (owner: 'compare:<defense>...'); both purify the same clean images and
 * the same stored attacked images, so every verdict is paired with every other on the same image.
 */
import type { ImageArray } from '../array/image-array.ts';
import { throwIfCancelled } from '../../progress/progress.ts';
import type { AttackableClassifier } from '../attacks/attack-types.ts';
import type { Defense, DefenseOutput } from '../defenses/defense.ts';
import type { DefendedPrediction, EvaluationJournal } from '../evaluation/evaluation-journal.ts';
import type { EvaluationSample } from '../evaluation/evaluation-samples.ts';
import { predictedClasses } from '../attacks/score-objectives.ts';
import { batchFromImages } from '../evaluation/image-batch.ts';
import { unitNumber } from '../evaluation/run-evaluation.ts';
import { deriveSeed } from '../random/seeded-random.ts';

export const CLEAN_ROW = 'clean';

/** A defense ready to purify; `concurrent`: it may be handed several images at once (worker pool). */
export interface OpenedDefense {
  readonly defense: Defense;
  readonly concurrent: boolean;
  close(): Promise<void>;
}

export interface TuningBatch {
  readonly key: string;
  readonly first: number;
  readonly samples: EvaluationSample[];
}

/** Journal keys: 'undefended/<row>/<batch>', '<point>/<row>/<batch>', 'compare:<defense>/<row>/<batch>'. */
export function tuningUnitKey(owner: string, row: string, batchKey: string): string {
  return `${owner}/${row}/${batchKey}`;
}

export interface DefendUnitsRequest {
  readonly owner: string;
  readonly open: () => Promise<OpenedDefense>;
  readonly batches: readonly TuningBatch[];
  /** CLEAN_ROW, then the attacks' names */
  readonly rows: readonly string[];
  /** attacked images [attack][batch], in the order of rows.slice(1) */
  readonly adversarial: readonly (readonly ImageArray[][])[];
  readonly classifier: AttackableClassifier;
  readonly journal: EvaluationJournal;
  readonly seed: number;
  /** a line of progress: what is being done */
  readonly step: (stage: string, message: string) => void;
  /** called once per unit, done now or earlier */
  readonly onUnit: () => void;
  readonly signal?: AbortSignal;
}

/** Runs the missing units of one owner; opens the defense only when some are missing. Returns how many ran. */
export async function defendUnits(request: DefendUnitsRequest): Promise<number> {
  const { owner, batches, rows, journal, signal } = request;
  const missing = batches.map((batch) => rows.filter((row) => !journal.has(tuningUnitKey(owner, row, batch.key))));
  const skipped = () => {
    for (let u = 0; u < batches.length * rows.length - missing.flat().length; u++) request.onUnit();
  };
  if (missing.every((m) => m.length === 0)) {
    skipped();
    return 0;
  }
  skipped();
  let ran = 0;
  const opened = await request.open();
  try {
    for (const [b, batch] of batches.entries()) {
      if (missing[b].length === 0) continue;
      throwIfCancelled(signal);
      const range = `images ${batch.first + 1}-${batch.first + batch.samples.length}`;
      request.step(owner, `${missing[b].join(', ')}, ${range}`);
      const imagesOf = (row: string) => (row === CLEAN_ROW ? batch.samples.map((s) => s.image) : request.adversarial[rows.indexOf(row) - 1][b]);
      // every missing row of the batch at once: a worker pool then has rows x batch images to share out
      const images = missing[b].flatMap(imagesOf);
      const seed = deriveSeed(request.seed, unitNumber(`${owner}/${batch.key}`));
      const outputs = await purifyAll(opened, images, seed, signal);
      const predicted = await classifyImages(
        request.classifier,
        outputs.map((o) => o.image),
      );
      missing[b].forEach((row, r) => {
        const offset = r * batch.samples.length;
        journal.record({
          unit: tuningUnitKey(owner, row, batch.key),
          row,
          attackSeconds: 0,
          outcomes: batch.samples.map((s, i) => {
            const output = outputs[offset + i];
            const prediction: DefendedPrediction = {
              defense: opened.defense.name,
              predicted: predicted[offset + i],
              seconds: output.seconds,
              ...(output.clusterId !== undefined ? { clusterId: output.clusterId } : {}),
            };
            return { sample: batch.first + i, label: s.label, defended: [prediction] };
          }),
        });
        ran++;
        request.onUnit();
      });
    }
  } finally {
    await opened.close();
  }
  return ran;
}

async function purifyAll(opened: OpenedDefense, images: readonly ImageArray[], seed: number, signal: AbortSignal | undefined): Promise<DefenseOutput[]> {
  // the seed reaches randomised defenses only (TVM's pixel mask); the others ignore it
  const purify = (image: ImageArray, i: number) => {
    throwIfCancelled(signal);
    return opened.defense.purify(image, { signal, seed: deriveSeed(seed, i) });
  };
  if (opened.concurrent) return Promise.all(images.map(purify));
  const outputs: DefenseOutput[] = [];
  for (const [i, image] of images.entries()) outputs.push(await purify(image, i));
  return outputs;
}

export async function classifyImages(classifier: AttackableClassifier, images: readonly ImageArray[]): Promise<number[]> {
  return predictedClasses(await classifier.scores(batchFromImages(images)), classifier.classCount);
}
