/**
 * The wiring of `acsr calibrate-evasion`: the bundle's validation images (never the test split),
 * their attacked versions (reused from an `acsr tune` folder where it has them), each cluster's
 * member-distance norm from the bundle's training images, the signals of every clean and every
 * successfully attacked image at the bundle's purification defaults, the logistic fit with its
 * threshold for the false-positive target, and a new bundle carrying the calibration.
 */
import { writeFile } from 'node:fs/promises';
import { UserInputError } from '../../errors/user-input-error.ts';
import { sha256Hex } from '../../io/hashing.ts';
import type { ProgressReporter } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { Attack } from '../attacks/attack-types.ts';
import { attackableImageModel } from '../attacks/tf-image-model-classifier.ts';
import { SMALL_IMAGE_PIXELS } from '../evaluation/evaluate-folder.ts';
import { loadLatentExtractor } from '../models/latent-extractor.ts';
import type { LatentExtractor } from '../models/model-contracts.ts';
import { loadTfImageModel } from '../models/tf-image-model.ts';
import { DEFAULT_PURIFICATION_OPTIONS, type PurificationOptions } from '../purification/purification-options.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../references/bundle-reader.ts';
import { bundleDataSource } from '../references/validation-split.ts';
import { refuseExisting } from '../robust/robust-bundle.ts';
import { bundlePurificationDefaults } from '../tuning/purification-defaults.ts';
import { loadValidationSamples } from '../tuning/validation-samples.ts';
import { attackedSet } from './attacked-images.ts';
import { writeCalibratedBundle } from './calibrated-bundle.ts';
import { clusterDistanceNorms } from './cluster-distance-norms.ts';
import { type EvasionCalibration, fitEvasionCalibration } from './evasion-calibration.ts';
import { SQUEEZE_JPEG_QUALITY, type SignalName } from './evasion-signals.ts';
import { imageSignals } from './image-signals.ts';
import { heldOutThreshold, withHeldOutThreshold } from './held-out-threshold.ts';
import { chooseSignalSet } from './signal-set-choice.ts';

export interface CalibrateEvasionRequest {
  readonly bundlePath: string;
  /** the data the bundle was trained on */
  readonly data: string;
  readonly model: string;
  readonly attacks: readonly Attack[];
  readonly tuneOut?: string;
  readonly limit?: number;
  /** must match the tune run's for its attacked images to be reused */
  readonly batchSize: number;
  readonly seed: number;
  readonly falsePositiveRate: number;
  readonly l2?: number;
  /** the signals to fit on (default: chosen by cross-validation on the fitting data, signal-set-choice.ts) */
  readonly signals?: readonly SignalName[];
  /** a JSON file to write every fitting image's signals into (for auditing or comparing signal sets) */
  readonly signalsOut?: string;
  readonly threads?: number;
  readonly bundleOut: string;
  readonly progress: ProgressReporter;
  readonly signal: AbortSignal;
}

export interface CalibrateEvasionOutcome {
  readonly calibration: EvasionCalibration;
  readonly bundleOut: string;
  readonly reusedBatches: number;
  readonly attackedBatches: number;
  readonly counts: Record<string, { attacked: number; successful: number }>;
}

export async function calibrateEvasion(request: CalibrateEvasionRequest): Promise<CalibrateEvasionOutcome> {
  const { progress, signal } = request;
  if (request.attacks.length === 0) throw new UserInputError('calibration needs at least one attack (attacked images are its positive examples)');
  const bundle = await loadReferenceBundle(request.bundlePath);
  await refuseExisting(request.bundleOut);
  const model = await loadTfImageModel(request.model);
  const extractor: LatentExtractor = bundle.manifest.extractor.id === model.identity.id ? model : await loadLatentExtractor(bundle.manifest.extractor.id);
  try {
    const channels = model.inputSize.channels === 1 && bundle.manifest.channels !== 3 ? 1 : 3;
    const validation = await loadValidationSamples(bundle.manifest, request.data, model.classNames, channels, request.limit);
    const pixels = validation.samples[0].image.height * validation.samples[0].image.width;
    const classifier = attackableImageModel(model, { batchSize: pixels <= SMALL_IMAGE_PIXELS ? 256 : 4 });

    progress.report({ stage: 'attacks', fraction: 0, message: 'attacked validation images' });
    const batchCount = Math.ceil(validation.samples.length / request.batchSize) * request.attacks.length;
    let batchesDone = 0;
    const attacked = await attackedSet({
      samples: validation.samples,
      attacks: request.attacks,
      classifier,
      batchSize: request.batchSize,
      seed: request.seed,
      tuneOut: request.tuneOut,
      signal,
      onBatch: () => progress.report({ stage: 'attacks', fraction: 0.2 * (++batchesDone / batchCount) }),
    });
    if (attacked.examples.length === 0)
      throw new UserInputError('no attack changed any correctly classified validation image; there is nothing to calibrate on');

    progress.report({ stage: 'cluster norms', fraction: 0.2, message: 'member distances of every cluster' });
    const source = await bundleDataSource(bundle.manifest, request.data, channels);
    const byName = new Map(source.images.map((image) => [image.name, image]));
    const clusterDistances = await clusterDistanceNorms(
      bundle,
      extractor,
      (name) => {
        const image = byName.get(name);
        if (!image) throw new UserInputError(`the bundle's cluster member ${name} is not in ${request.data}`);
        return image.load();
      },
      signal,
    );

    const purification = calibrationPurification(bundle, request.threads);
    const pipeline = { bundle, extractor, classifier: model, purification, clusterDistances, jpegQuality: SQUEEZE_JPEG_QUALITY };
    const total = validation.samples.length + attacked.examples.length;
    let done = 0;
    const onImage = () => progress.report({ stage: 'signals', fraction: 0.3 + 0.7 * (++done / total), message: `${done} of ${total} images purified` });
    const cleanSignals = await imageSignals(
      pipeline,
      validation.samples.map((s) => s.image),
      { signal, onImage },
    );
    const attackedSignals = await imageSignals(
      pipeline,
      attacked.examples.map((e) => e.image),
      { signal, onImage },
    );

    const lines = [
      ...validation.samples.map((s) => `clean\t${s.name}\t${pixelHash(s.image)}`),
      ...attacked.examples.map((e) => `${e.attack}\t${e.name}\t${pixelHash(e.image)}`),
    ].sort();
    const { falsePositiveRate } = request;
    const fittingData = { clean: cleanSignals, attacked: attacked.examples.map((e, i) => ({ attack: e.attack, signals: attackedSignals[i] })) };
    const choice =
      request.signals === undefined ? chooseSignalSet(fittingData, { falsePositiveRate, ...(request.l2 !== undefined ? { l2: request.l2 } : {}) }) : null;
    const signals = request.signals ?? choice?.chosen.signals;
    const fitted = fitEvasionCalibration(
      cleanSignals,
      attackedSignals,
      {
        model: { id: model.identity.id, weightSha256: model.identity.weightSha256 },
        purification: { tikhonovLambda: purification.tikhonovLambda, cscLambda: purification.cscLambda, maxIterations: purification.maxIterations },
        jpegQuality: SQUEEZE_JPEG_QUALITY,
        clusterDistances,
        data: {
          sha256: sha256Hex(lines.join('\n')),
          validationSha256: validation.splitSha256,
          clean: validation.samples.length,
          attacked: Object.fromEntries(Object.entries(attacked.counts).map(([name, c]) => [name, c.successful])),
        },
      },
      {
        falsePositiveRate: request.falsePositiveRate,
        ...(request.l2 !== undefined ? { l2: request.l2 } : {}),
        ...(signals !== undefined ? { signals } : {}),
      },
    );
    const thresholdChoice = heldOutThreshold(fittingData, fitted.signals, {
      falsePositiveRate,
      fittedThreshold: fitted.threshold,
      ...(request.l2 !== undefined ? { l2: request.l2 } : {}),
      ...(choice !== null ? { heldOut: choice.chosen.heldOut } : {}),
    });
    const thresholded = thresholdChoice ? withHeldOutThreshold(fitted, thresholdChoice, { clean: cleanSignals, attacked: attackedSignals }) : fitted;
    const calibration: EvasionCalibration = choice
      ? {
          ...thresholded,
          signalChoice: {
            folds: choice.folds,
            falsePositiveRate: choice.falsePositiveRate,
            chosen: choice.chosen.name,
            candidates: choice.candidates.map(({ name, signals: names, caught, meanCaught }) => ({ name, signals: [...names], caught, meanCaught })),
          },
        }
      : thresholded;
    if (request.signalsOut !== undefined) {
      const dump = {
        clean: validation.samples.map((s, i) => ({ name: s.name, signals: cleanSignals[i] })),
        attacked: attacked.examples.map((e, i) => ({ attack: e.attack, name: e.name, signals: attackedSignals[i] })),
      };
      await writeFile(request.signalsOut, `${JSON.stringify(dump)}\n`);
    }
    await writeCalibratedBundle(bundle, request.bundleOut, calibration);
    await loadReferenceBundle(request.bundleOut); // every hash of the new bundle checked once
    progress.report({ stage: 'write', fraction: 1 });
    return {
      calibration,
      bundleOut: request.bundleOut,
      reusedBatches: attacked.reusedBatches,
      attackedBatches: attacked.attackedBatches,
      counts: attacked.counts,
    };
  } finally {
    if (extractor !== model) extractor.dispose();
    model.dispose();
  }
}

/** The bundle's purification defaults (tuned, or built in), one CBPDN thread per image for small images. */
export function calibrationPurification(bundle: ReferenceBundle, threads: number | undefined): PurificationOptions {
  return { ...DEFAULT_PURIFICATION_OPTIONS, ...bundlePurificationDefaults(bundle.manifest), threads: threads ?? 1 };
}

/** SHA-256 of an image's pixels as float32 (the form attacks store them in). */
export function pixelHash(image: ImageArray): string {
  const pixels = Float32Array.from(image.data);
  return sha256Hex(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
}
