/**
 * The evaluation loop of `acsr eval`: for each batch of clean labelled images, the clean row (each
 * defense applied to the clean image), then each attack crafted against the undefended classifier
 * and every defense applied to its output (the non-adaptive setting the paper reports), then, when
 * asked, BPDA against each defense separately (the adaptive attacker). Every cell is a real model
 * call on a real defended image; each finished unit goes to the journal, so a killed run resumes.
 */
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { Attack, AttackableClassifier } from '../attacks/attack-types.ts';
import type { Defense, DefenseOutput } from '../defenses/defense.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import { BpdaClassifier } from './bpda-classifier.ts';
import type { DefendedPrediction, EvaluationJournal, SampleOutcome } from './evaluation-journal.ts';
import { type EvaluationSample, sampleBatches, samplesFingerprint } from './evaluation-samples.ts';
import { predictedClasses } from '../attacks/score-objectives.ts';
import { batchFromImages, imagesFromBatch } from './image-batch.ts';
import { estimateRemainingEvaluationSeconds, measuredUnit } from './time-estimate.ts';

/** How often the time left is said again while one unit runs. */
const ESTIMATE_REFRESH_MS = 2000;

export interface AdaptiveAttackPlan {
  /** builds the attack run against BPDA(defense) */
  readonly attack: Attack;
  /** gradient draws averaged per step for randomised defenses */
  readonly eotSamples: number;
}

export interface EvaluationRequest {
  readonly samples: readonly EvaluationSample[];
  readonly classifier: AttackableClassifier;
  readonly attacks: readonly Attack[];
  readonly defenses: readonly Defense[];
  readonly adaptive?: AdaptiveAttackPlan;
  readonly batchSize: number;
  readonly seed: number;
  /**
   * Defenses whose purify() may be called for several images at once (pooled on worker threads).
   * The others see one image at a time, so that the seconds each reports are its own.
   */
  readonly concurrentDefenses?: ReadonlySet<string>;
  readonly journal: EvaluationJournal;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
  /** Called after each unit is in the journal (the desktop app shows partial results). */
  readonly onUnitRecorded?: (unitKey: string) => void;
}

export interface EvaluationRunReport {
  /** the units of this evaluation: the journal may also hold units of a run with another --limit */
  readonly unitKeys: string[];
  readonly unitsTotal: number;
  /** units found done in the journal when the run started */
  readonly unitsResumed: number;
  readonly unitsRun: number;
}

interface PlannedUnit {
  readonly key: string;
  readonly row: string;
  readonly batchIndex: number;
  readonly run: (samples: readonly EvaluationSample[], seed: number) => Promise<{ attackSeconds: number; outcomes: Omit<SampleOutcome, 'sample'>[] }>;
}

export async function runEvaluation(request: EvaluationRequest): Promise<EvaluationRunReport> {
  const progress = request.progress ?? silentProgress;
  const batches = sampleBatches(request.samples, request.batchSize);
  const units = planUnits(request, batches);
  const todo = units.filter((unit) => !request.journal.has(unit.key));
  const resumed = units.length - todo.length;
  // Every unit the journal holds is a measure, those of an earlier run of this evaluation included.
  const finished = request.journal.units().map(measuredUnit);
  const pendingOf = (unit: PlannedUnit) => ({ row: unit.row, images: batches[unit.batchIndex].samples.length });
  let done = resumed;
  for (const [index, unit] of todo.entries()) {
    throwIfCancelled(request.signal);
    const batch = batches[unit.batchIndex];
    const started = performance.now();
    const after = todo.slice(index + 1).map(pendingOf);
    const say = () =>
      progress.report({
        stage: unit.row,
        fraction: done / units.length,
        message: `${unit.row}, images ${batch.first + 1}-${batch.first + batch.samples.length}`,
        etaSeconds: estimateRemainingEvaluationSeconds({
          finished,
          pending: after,
          running: { ...pendingOf(unit), elapsedSeconds: (performance.now() - started) / 1000 },
        }),
      });
    say();
    // A unit can take minutes without a word from the attack: the estimate keeps counting down.
    const ticker = setInterval(say, ESTIMATE_REFRESH_MS);
    ticker.unref();
    const result = await unit.run(batch.samples, deriveSeed(request.seed, unitNumber(unit.key))).finally(() => clearInterval(ticker));
    const seconds = (performance.now() - started) / 1000;
    const outcomes = result.outcomes.map((outcome, i) => ({ ...outcome, sample: batch.first + i }));
    request.journal.record({ unit: unit.key, row: unit.row, attackSeconds: result.attackSeconds, seconds, outcomes });
    finished.push({ ...pendingOf(unit), seconds });
    request.onUnitRecorded?.(unit.key);
    done++;
    progress.report({ stage: unit.row, fraction: done / units.length, etaSeconds: estimateRemainingEvaluationSeconds({ finished, pending: after }) });
  }
  return { unitKeys: units.map((unit) => unit.key), unitsTotal: units.length, unitsResumed: resumed, unitsRun: todo.length };
}

/**
 * Unit keys name the batch by its position and content (`fgsm:0.04/b3@<hash>`): rerunning with a
 * larger --limit keeps every full batch already done and recomputes only the batch that changed.
 */
export function planUnitKeys(request: Pick<EvaluationRequest, 'samples' | 'attacks' | 'defenses' | 'adaptive' | 'batchSize'>): string[] {
  return planUnits({ ...request, classifier: null as never, seed: 0, journal: null as never }, sampleBatches(request.samples, request.batchSize)).map(
    (u) => u.key,
  );
}

function planUnits(request: EvaluationRequest, batches: readonly { samples: EvaluationSample[] }[]): PlannedUnit[] {
  const { classifier, defenses, signal } = request;
  const concurrent = request.concurrentDefenses ?? new Set<string>();
  const units: PlannedUnit[] = [];
  for (let b = 0; b < batches.length; b++) {
    const batch = `b${b}@${samplesFingerprint(batches[b].samples).slice(0, 16)}`;
    units.push({
      key: `clean/${batch}`,
      row: 'clean',
      batchIndex: b,
      run: async (samples, seed) => {
        const images = samples.map((s) => s.image);
        const defended = await defendAll(classifier, defenses, concurrent, images, seed, signal);
        return { attackSeconds: 0, outcomes: samples.map((s, i) => ({ label: s.label, defended: defended[i] })) };
      },
    });
    for (const attack of request.attacks) {
      units.push({
        key: `${attack.name}/${batch}`,
        row: attack.name,
        batchIndex: b,
        run: async (samples, seed) => {
          const started = performance.now();
          const result = await attack.run({
            classifier,
            images: batchFromImages(samples.map((s) => s.image)),
            labels: samples.map((s) => s.label),
            seed,
            signal,
          });
          const attackSeconds = (performance.now() - started) / 1000;
          const defended = await defendAll(classifier, defenses, concurrent, imagesFromBatch(result.adversarial), seed, signal);
          return { attackSeconds, outcomes: samples.map((s, i) => ({ label: s.label, attack: result.records[i], defended: defended[i] })) };
        },
      });
    }
    const adaptive = request.adaptive;
    if (adaptive) {
      for (const defense of defenses) {
        units.push({
          key: `bpda:${defense.name}/${batch}`,
          row: `bpda:${defense.name}`,
          batchIndex: b,
          run: async (samples, seed) => {
            const started = performance.now();
            const defended = new BpdaClassifier(classifier, defense, {
              eotSamples: adaptive.eotSamples,
              seed,
              signal,
              concurrent: concurrent.has(defense.name),
            });
            const result = await adaptive.attack.run({
              classifier: defended,
              images: batchFromImages(samples.map((s) => s.image)),
              labels: samples.map((s) => s.label),
              seed,
              signal,
            });
            const attackSeconds = (performance.now() - started) / 1000;
            // The verdict uses a fresh draw of the defense's randomness, as a deployed defense would.
            const predictions = await defendAll(classifier, [defense], concurrent, imagesFromBatch(result.adversarial), deriveSeed(seed, 1), signal);
            return { attackSeconds, outcomes: samples.map((s, i) => ({ label: s.label, attack: result.records[i], defended: predictions[i] })) };
          },
        });
      }
    }
  }
  return units;
}

/** Each image through each defense, then the classifier on the defended images: [image][defense]. */
async function defendAll(
  classifier: AttackableClassifier,
  defenses: readonly Defense[],
  concurrent: ReadonlySet<string>,
  images: readonly ImageArray[],
  seed: number,
  signal: AbortSignal | undefined,
): Promise<DefendedPrediction[][]> {
  const perImage: DefendedPrediction[][] = images.map(() => []);
  for (const [d, defense] of defenses.entries()) {
    const purify = (image: ImageArray, i: number) => {
      throwIfCancelled(signal);
      return defense.purify(image, { seed: deriveSeed(seed, d * 100_003 + i), signal });
    };
    const outputs = concurrent.has(defense.name)
      ? await Promise.all(images.map(purify))
      : await images.reduce<Promise<DefenseOutput[]>>(async (done, image, i) => [...(await done), await purify(image, i)], Promise.resolve([]));
    const predicted = predictedClasses(await classifier.scores(batchFromImages(outputs.map((o) => o.image))), classifier.classCount);
    outputs.forEach((output, i) => {
      perImage[i].push({
        defense: defense.name,
        predicted: predicted[i],
        ...(output.clusterId !== undefined ? { clusterId: output.clusterId } : {}),
        seconds: output.seconds,
      });
    });
  }
  return perImage;
}

/** A stable number per unit name, so each unit's randomness is the same however the run was resumed. */
export function unitNumber(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
