/**
 * The wiring of an evaluation, shared by `acsr eval` and the desktop app's eval job: load the
 * classifier (and bundle), the labelled samples, the defenses (CBPDN ones pooled on worker
 * threads for small images), open the journal (resumable), run every unit, and write
 * results.json/.md and the plots into `out`. Option checking and printing stay with the callers.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Attack } from '../attacks/attack-types.ts';
import { attackableImageModel } from '../attacks/tf-image-model-classifier.ts';
import { createDefense } from '../defenses/create-defense.ts';
import type { Defense } from '../defenses/defense.ts';
import { learnSingleDictionary, loadSingleDictionary, saveSingleDictionary } from '../defenses/single-dictionary.ts';
import { loadTfImageModel } from '../models/tf-image-model.ts';
import { DEFAULT_PURIFICATION_OPTIONS } from '../purification/purification-options.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../references/bundle-reader.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { bundlePurificationDefaults } from '../tuning/purification-defaults.ts';
import { fashionMnistSource, isFashionMnistFolder, labelledFolder } from '../references/labelled-images.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { ProgressReporter } from '../../progress/progress.ts';
import { DefenseWorkerPool } from './defense-worker-pool.ts';
import { EvaluationJournal, JOURNAL_FILE } from './evaluation-journal.ts';
import { writeEvaluationOutputs } from './evaluation-output.ts';
import { type EvaluationResults, type EvaluationSetup, summariseEvaluation } from './evaluation-results.ts';
import { loadEvaluationSamples } from './evaluation-samples.ts';
import { planUnitKeys, runEvaluation } from './run-evaluation.ts';

const SINGLE_DICTIONARY_FILE = 'single-dictionary.npy';
/** Up to this many pixels, one CBPDN thread per image is faster than splitting a tiny problem across threads. */
export const SMALL_IMAGE_PIXELS = 128 * 128;
/** Defenses that sparse-code every image: on small images they run one image per worker thread. */
const POOLED_DEFENSES = new Set(['single-dict', 'acsr']);

/** single-dict with neither a dictionary nor training images: the command line reports it as a usage error. */
export class MissingSingleDictionarySource extends UserInputError {
  override name = 'MissingSingleDictionarySource';
}

export interface EvaluateFolderRequest {
  /** registry id of the classifier attacked and protected */
  readonly model: string;
  readonly bundlePath?: string;
  /** class sub-folders named as the classifier's classes, or the Fashion-MNIST folder */
  readonly data: string;
  readonly attacks: readonly Attack[];
  readonly defenseNames: readonly string[];
  readonly adaptive?: { attack: Attack; eotSamples: number };
  readonly limit?: number;
  readonly batchSize: number;
  /** single-dict: this dictionary instead of learning one from trainData */
  readonly singleDict?: string;
  /** single-dict's training images (a folder, already resolved); default: data, for a Fashion-MNIST bundle */
  readonly trainData?: string;
  readonly threads?: number;
  /** CBPDN iteration cap of single-dict and acsr instead of the bundle's tuned one */
  readonly maxIterations?: number;
  readonly seed: number;
  readonly out: string;
  readonly plots: boolean;
  /** compute nothing: write the results of the batches finished so far */
  readonly reportOnly?: boolean;
  readonly progress: ProgressReporter;
  readonly signal: AbortSignal;
  readonly note: (line: string) => void;
  /** Called after each finished unit with the results so far (the desktop app shows them live). */
  readonly onPartialResults?: (results: EvaluationResults) => void;
}

export type EvaluateFolderOutcome =
  | { kind: 'report-only'; unitsTotal: number; unitsReported: number; written: string[] }
  | { kind: 'evaluated'; results: EvaluationResults; unitsTotal: number; unitsResumed: number; unitsRun: number; written: string[] };

export async function evaluateFolder(request: EvaluateFolderRequest): Promise<EvaluateFolderOutcome> {
  const { attacks, defenseNames, progress, signal } = request;
  const adaptiveAttack = request.adaptive?.attack ?? null;
  const bundle = request.bundlePath === undefined ? null : await loadReferenceBundle(request.bundlePath);
  await mkdir(request.out, { recursive: true });
  const model = await loadTfImageModel(request.model);
  const owned: { dispose(): void | Promise<void> }[] = [model];
  try {
    const samples = await loadEvaluationSamples(
      request.data,
      model.classNames,
      model.inputSize.channels === 1 && bundle?.manifest.channels !== 3 ? 1 : 3,
      request.limit,
    );
    const pixels = samples.samples[0].image.height * samples.samples[0].image.width;
    const threads = request.threads ?? (pixels <= SMALL_IMAGE_PIXELS ? 1 : availableParallelism());
    const singleDictionary = defenseNames.includes('single-dict')
      ? await singleDictionaryFor(
          request.singleDict,
          bundle!,
          request.trainData ?? (bundle?.manifest.trainingData.kind === 'fashion-mnist' ? request.data : undefined),
          request.out,
          progress.sub(0, 0.05, 'single-dict'),
          signal,
          request.note,
        )
      : undefined;
    const iterationCap = request.maxIterations === undefined ? {} : { maxIterations: request.maxIterations };
    const sharedExtractor = bundle && bundle.manifest.extractor.id === model.identity.id ? model : undefined;
    const pooledNames = threads === 1 && availableParallelism() > 1 ? defenseNames.filter((n) => POOLED_DEFENSES.has(n)) : [];
    const pooled =
      pooledNames.length === 0
        ? null
        : await DefenseWorkerPool.start(availableParallelism(), {
            defenses: pooledNames,
            bundlePath: bundle?.path,
            singleDictionaryPath: singleDictionary?.path,
            purification: { threads: 1, ...iterationCap },
          });
    if (pooled) owned.push({ dispose: () => pooled.pool.close() });
    const defenses: Defense[] = [];
    for (const name of defenseNames) {
      const defense =
        pooled?.defenses.find((d) => d.name === name) ??
        (await createDefense(name, {
          bundle: bundle ?? undefined,
          extractor: sharedExtractor,
          singleDictionary: singleDictionary?.dictionary,
          purification: { threads, ...iterationCap },
        }));
      defenses.push(defense);
      owned.push(defense);
    }

    const setup: EvaluationSetup = {
      model: { id: model.identity.id, backend: model.identity.backend, classNames: model.classNames },
      bundle: bundle ? { path: bundle.path, manifestSha256: bundle.manifestSha256, extractor: bundle.manifest.extractor.id } : null,
      data: { description: samples.description, fingerprint: samples.fingerprint, count: samples.samples.length },
      attacks: attacks.map((a) => ({ name: a.name, budget: a.budget })),
      defenses: defenses.map((d) => ({ name: d.name, description: d.description })),
      adaptive: adaptiveAttack ? { attack: adaptiveAttack.name, budget: adaptiveAttack.budget, eotSamples: request.adaptive!.eotSamples } : null,
      seed: request.seed,
      batchSize: request.batchSize,
    };
    // The data's identity is not part of it: each unit names its batch's content (run-evaluation.ts).
    const journal = EvaluationJournal.open(join(request.out, JOURNAL_FILE), {
      ...setup,
      data: null,
      model: { ...setup.model, weightSha256: model.identity.weightSha256 },
      singleDictionarySha256: singleDictionary?.sha256 ?? null,
      purification: { ...DEFAULT_PURIFICATION_OPTIONS, ...(bundle ? bundlePurificationDefaults(bundle.manifest) : {}), ...iterationCap, threads: null },
    });
    const plannedUnits = (keys: readonly string[]) => journal.units().filter((unit) => keys.includes(unit.unit));
    const unitKeys = planUnitKeys({ samples: samples.samples, attacks, defenses, batchSize: request.batchSize, adaptive: request.adaptive });
    if (request.reportOnly) {
      const done = finishedBatchUnits(unitKeys, journal);
      const count = done.images(samples.samples.length, request.batchSize);
      const data = { ...setup.data, count, description: `the first ${count} (finished batches) of ${samples.description}` };
      const results = summariseEvaluation({ ...setup, data }, plannedUnits(done.keys), done.keys.length === unitKeys.length);
      const written = await writeEvaluationOutputs(request.out, results, { plots: request.plots });
      return { kind: 'report-only', unitsTotal: unitKeys.length, unitsReported: done.keys.length, written };
    }
    const classifier = attackableImageModel(model, { batchSize: model.inputSize.height * model.inputSize.width <= SMALL_IMAGE_PIXELS ? 256 : 4 });
    const onPartial = request.onPartialResults;
    const report = await runEvaluation({
      samples: samples.samples,
      classifier,
      attacks,
      defenses,
      batchSize: request.batchSize,
      seed: request.seed,
      journal,
      adaptive: request.adaptive,
      concurrentDefenses: new Set(pooledNames),
      progress: progress.sub(0.05, 1, 'eval'),
      signal,
      ...(onPartial ? { onUnitRecorded: () => onPartial(summariseEvaluation(setup, plannedUnits(unitKeys), false)) } : {}),
    }).finally(async () => {
      // Partial results stay readable after a cancel or a crash.
      const partial = summariseEvaluation(setup, plannedUnits(unitKeys), false);
      await writeEvaluationOutputs(request.out, partial, { plots: false });
    });
    const results = summariseEvaluation(setup, plannedUnits(report.unitKeys), true);
    const written = await writeEvaluationOutputs(request.out, results, { plots: request.plots });
    return { kind: 'evaluated', results, unitsTotal: report.unitsTotal, unitsResumed: report.unitsResumed, unitsRun: report.unitsRun, written };
  } finally {
    for (const part of owned.reverse()) await part.dispose();
  }
}

/** The units of the leading batches whose every row is in the journal (a partial report compares like with like). */
function finishedBatchUnits(unitKeys: readonly string[], journal: EvaluationJournal) {
  const batchOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);
  const batches = [...new Set(unitKeys.map(batchOf))];
  const finished: string[] = [];
  for (const batch of batches) {
    const keys = unitKeys.filter((key) => batchOf(key) === batch);
    if (!keys.every((key) => journal.has(key))) break;
    finished.push(...keys);
  }
  const batchCount = new Set(finished.map(batchOf)).size;
  return { keys: finished, images: (total: number, batchSize: number) => Math.min(total, batchCount * batchSize) };
}

/**
 * single-dict's dictionary: the one given, or learned once from the bundle's training images with
 * the bundle's parameters and kept in --out (a resumed run reuses it rather than relearning).
 */
async function singleDictionaryFor(
  given: string | undefined,
  bundle: ReferenceBundle,
  trainData: string | undefined,
  out: string,
  progress: ProgressReporter,
  signal: AbortSignal,
  note: (line: string) => void,
) {
  const cached = join(out, SINGLE_DICTIONARY_FILE);
  const path = given ?? (existsSync(cached) ? cached : undefined);
  if (path !== undefined) {
    const loaded = await loadSingleDictionary(path);
    return { path, dictionary: loaded.dictionary, sha256: sha256Hex(new Uint8Array(loaded.dictionary.data.buffer)) };
  }
  if (trainData === undefined)
    throw new MissingSingleDictionarySource("single-dict needs --single-dict FILE.npy or --train-data (the bundle's training images)");
  const folder = trainData;
  const training = bundle.manifest.trainingData;
  const channels = bundle.manifest.channels === 3 ? 3 : 1;
  const source = (await isFashionMnistFolder(folder))
    ? await fashionMnistSource(folder, training.kind === 'fashion-mnist' ? training.imageCount : undefined, channels)
    : await labelledFolder(folder, channels);
  const learned = await learnSingleDictionary({ source, parameters: bundle.manifest.parameters, channels, progress, signal });
  if (learned.provenance.datasetSha256 !== training.datasetSha256) {
    note(`single-dict learned from ${folder}, which is not the data the bundle was trained on (dataset SHA-256 differs)`);
  }
  await saveSingleDictionary(cached, learned);
  return { path: cached, dictionary: learned.dictionary, sha256: sha256Hex(new Uint8Array(learned.dictionary.data.buffer)) };
}
