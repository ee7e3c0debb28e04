/**
 * The wiring of `acsr tune`: load the bundle, the classifier and the bundle's validation images,
 * open the journal (resumable), run the sweep (run-tuning.ts), write tuning.json and tuning.md
 * into `out` atomically, and with `bundleOut` write a new bundle carrying the chosen values as its
 * purification defaults. The acsr defense at each grid point runs on a pool of worker threads, one
 * image per worker, for small images (as `acsr eval` does), in this thread otherwise.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import type { ProgressReporter } from '../../progress/progress.ts';
import type { Attack } from '../attacks/attack-types.ts';
import { attackableImageModel } from '../attacks/tf-image-model-classifier.ts';
import { describeBudget } from '../attacks/budget-description.ts';
import { createDefense } from '../defenses/create-defense.ts';
import { DefenseWorkerPool } from '../evaluation/defense-worker-pool.ts';
import { SMALL_IMAGE_PIXELS } from '../evaluation/evaluate-folder.ts';
import { EvaluationJournal, JOURNAL_FILE } from '../evaluation/evaluation-journal.ts';
import { loadTfImageModel } from '../models/tf-image-model.ts';
import { DEFAULT_PURIFICATION_OPTIONS } from '../purification/purification-options.ts';
import { loadReferenceBundle } from '../references/bundle-reader.ts';
import { refuseExisting } from '../robust/robust-bundle.ts';
import { TUNING_OBJECTIVE, tuningRule } from './choose-point.ts';
import { DEFAULT_COMPARISON } from './comparison-defenses.ts';
import { compareDefenses } from './compare-defenses.ts';
import { ADVERSARIAL_FOLDER, type OpenedDefense, runTuning, tuningBatches } from './run-tuning.ts';
import { type GridPoint, type TuningGrid, gridPoints } from './tuning-grid.ts';
import { tuningMarkdown } from './tuning-markdown.ts';
import { type TuningResults, type TuningSetup, summariseTuning } from './tuning-results.ts';
import { writeTunedBundle } from './tuned-bundle.ts';
import { loadValidationSamples } from './validation-samples.ts';

export const TUNING_FILES = { json: 'tuning.json', markdown: 'tuning.md' } as const;

export interface TuneBundleRequest {
  readonly bundlePath: string;
  /** the data the bundle was trained on (a labelled folder, or the Fashion-MNIST folder) */
  readonly data: string;
  /** registry id of the classifier attacked and protected */
  readonly model: string;
  readonly attacks: readonly Attack[];
  readonly grid: TuningGrid;
  readonly limit?: number;
  /** percentage points of clean accuracy a chosen point may lose against the undefended classifier */
  readonly maxCleanDrop: number;
  readonly batchSize: number;
  readonly seed: number;
  /** CBPDN threads per image; default: 1 with one image per worker thread for small images, else all cores */
  readonly threads?: number;
  readonly out: string;
  readonly bundleOut?: string;
  /** defenses compared on the same validation images after the sweep (default DEFAULT_COMPARISON) */
  readonly compare?: readonly string[];
  /** single-dict's dictionary (.npy); default: learned from the bundle's training images minus the validation split */
  readonly singleDict?: string;
  readonly producer: string;
  readonly progress: ProgressReporter;
  readonly signal: AbortSignal;
}

export interface TuneBundleOutcome {
  readonly results: TuningResults;
  readonly written: string[];
  readonly bundleOut: string | null;
}

export async function tuneBundle(request: TuneBundleRequest): Promise<TuneBundleOutcome> {
  const { progress, signal } = request;
  const compare = request.compare ?? DEFAULT_COMPARISON;
  if (request.attacks.length === 0) throw new UserInputError('tuning needs at least one attack (the objective is accuracy under attack)');
  const bundle = await loadReferenceBundle(request.bundlePath);
  if (!bundle.manifest.validation || bundle.manifest.validation.imageCount === 0) {
    throw new UserInputError(
      `${request.bundlePath} has no validation split (it was trained on every image); retrain it with --validation-fraction above 0 to tune it`,
    );
  }
  if (request.bundleOut !== undefined) await refuseExisting(request.bundleOut);
  const model = await loadTfImageModel(request.model);
  try {
    const channels = model.inputSize.channels === 1 && bundle.manifest.channels !== 3 ? 1 : 3;
    const validation = await loadValidationSamples(bundle.manifest, request.data, model.classNames, channels, request.limit);
    await mkdir(join(request.out, ADVERSARIAL_FOLDER), { recursive: true });
    const points = gridPoints(request.grid);
    const setup: TuningSetup = {
      producer: request.producer,
      bundle: { path: request.bundlePath, manifestSha256: bundle.manifestSha256, extractor: bundle.manifest.extractor.id },
      model: { id: model.identity.id, weightSha256: model.identity.weightSha256, backend: model.identity.backend, classNames: model.classNames },
      data: {
        description: validation.description,
        fingerprint: validation.fingerprint,
        count: validation.samples.length,
        splitSha256: validation.splitSha256,
        splitImages: validation.splitImages,
        samples: validation.samples.map((s) => s.name),
      },
      attacks: request.attacks.map((a) => ({ name: a.name, budget: a.budget, normalisation: describeBudget(a.budget) })),
      grid: request.grid,
      fixed: { tolerance: DEFAULT_PURIFICATION_OPTIONS.tolerance, tileSize: DEFAULT_PURIFICATION_OPTIONS.tileSize },
      maxCleanDrop: request.maxCleanDrop,
      objective: TUNING_OBJECTIVE,
      rule: tuningRule(request.maxCleanDrop),
      seed: request.seed,
      batchSize: request.batchSize,
    };
    // The grid and the rule are not part of it: a sweep resumed with more grid points or another
    // allowed drop reuses every unit already done; anything that changes a verdict is.
    const journal = EvaluationJournal.open(join(request.out, JOURNAL_FILE), {
      kind: 'acsr-tuning',
      bundle: bundle.manifestSha256,
      model: { id: model.identity.id, weightSha256: model.identity.weightSha256 },
      data: validation.fingerprint,
      attacks: request.attacks.map((a) => a.name),
      batchSize: request.batchSize,
      seed: request.seed,
      fixed: setup.fixed,
    });
    const batchKeys = tuningBatches(validation.samples, request.batchSize).map((b) => b.key);
    const summarise = () => summariseTuning(setup, points, batchKeys, journal.units());
    const pixels = validation.samples[0].image.height * validation.samples[0].image.width;
    const pooled = request.threads === undefined && pixels <= SMALL_IMAGE_PIXELS && availableParallelism() > 1;
    const threads = request.threads ?? (pixels <= SMALL_IMAGE_PIXELS ? 1 : availableParallelism());
    const sharedExtractor = bundle.manifest.extractor.id === model.identity.id ? model : undefined;
    const openDefense = async (point: GridPoint): Promise<OpenedDefense> => {
      const purification = { tikhonovLambda: point.tikhonovLambda, cscLambda: point.cscLambda, maxIterations: point.maxIterations };
      if (pooled) {
        const { pool, defenses } = await DefenseWorkerPool.start(availableParallelism(), {
          defenses: ['acsr'],
          bundlePath: bundle.path,
          purification: { ...purification, threads: 1 },
        });
        return { defense: defenses[0], concurrent: true, close: () => pool.close() };
      }
      const defense = await createDefense('acsr', { bundle, extractor: sharedExtractor, purification: { ...purification, threads } });
      return { defense, concurrent: false, close: () => defense.dispose() };
    };
    const classifier = attackableImageModel(model, { batchSize: model.inputSize.height * model.inputSize.width <= SMALL_IMAGE_PIXELS ? 256 : 4 });
    const sweepProgress = progress.sub(0, 0.8, 'tune');
    const swept = await runTuning({
      samples: validation.samples,
      classifier,
      attacks: request.attacks,
      points,
      batchSize: request.batchSize,
      seed: request.seed,
      journal,
      out: request.out,
      openDefense,
      progress: sweepProgress,
      signal,
    }).catch(async (error: unknown) => {
      // what was finished stays readable after a cancel or a crash
      await writeTuningOutputs(request.out, summarise());
      throw error;
    });
    const sweep = summarise();
    const comparison =
      sweep.complete && compare.length > 0
        ? await compareDefenses({
            names: compare,
            results: sweep,
            swept,
            bundle,
            dataPath: request.data,
            channels,
            out: request.out,
            singleDict: request.singleDict,
            pooled,
            threads,
            classifier,
            journal,
            seed: request.seed,
            maxCleanDrop: request.maxCleanDrop,
            validationSha256: validation.splitSha256,
            progress: progress.sub(0.8, 0.99, 'compare'),
            signal,
            onPartial: (partial) => writeTuningOutputs(request.out, { ...sweep, comparison: partial }),
          })
        : null;
    const results: TuningResults = { ...sweep, comparison };
    const written = await writeTuningOutputs(request.out, results);
    let bundleOut: string | null = null;
    if (request.bundleOut !== undefined) {
      if (!results.chosen) {
        throw new UserInputError(
          `no grid point keeps clean accuracy within ${request.maxCleanDrop} points of the undefended classifier's; ${TUNING_FILES.json} written to ${request.out}, no bundle written`,
        );
      }
      const { tikhonovLambda, cscLambda, maxIterations } = results.chosen;
      await writeTunedBundle(
        bundle,
        request.bundleOut,
        tuningJsonText(results),
        {
          tikhonovLambda,
          cscLambda,
          maxIterations,
          tuning: {
            validationSha256: validation.splitSha256,
            sourceBundleManifestSha256: bundle.manifestSha256,
            objective: setup.objective,
            rule: setup.rule,
            images: validation.samples.length,
            attacks: setup.attacks.map((a) => a.name),
            maxCleanDrop: request.maxCleanDrop,
          },
        },
        results.comparison,
      );
      await loadReferenceBundle(request.bundleOut); // every hash of the new bundle checked once
      bundleOut = request.bundleOut;
    }
    progress.report({ stage: 'write', fraction: 1 });
    return { results, written, bundleOut };
  } finally {
    model.dispose();
  }
}

export function tuningJsonText(results: TuningResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

export async function writeTuningOutputs(out: string, results: TuningResults): Promise<string[]> {
  const json = join(out, TUNING_FILES.json);
  const markdown = join(out, TUNING_FILES.markdown);
  await writeFileAtomic(json, tuningJsonText(results));
  await writeFileAtomic(markdown, tuningMarkdown(results));
  return [json, markdown];
}
