/**
 * The evasion score's calibration as a bundle's manifest keeps it (section `evasionCalibration`,
 * optional: bundles without it load as before). Kept apart from the fitting code so that the
 * manifest schema imports nothing heavier than zod.
 */
import { z } from 'zod';

/** Every signal this version computes for an image; a calibration uses some of them (its `signals`). */
export const SIGNAL_NAMES = [
  'purificationShift',
  'jpegShift',
  'medianShift',
  'bit1Shift',
  'bit4Shift',
  'maxSqueezeShift',
  'purificationFlip',
  'jpegFlip',
  'medianFlip',
  'bit1Flip',
  'bit4Flip',
  'flipCount',
  'logitMargin',
  'latentOutlier',
  'noiseLevel',
  'noiseUpperQuartile',
  'bit3Shift',
  'bit2Shift',
  'bit3Flip',
  'bit2Flip',
] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];
export type EvasionSignals = Record<SignalName, number>;

/**
 * Version 1 records (no `version` field) used the first four signals only; they still load and
 * score, since every signal they name is still computed the same way. Version 2 added the
 * bit-depth squeezers, the joint maximum, the label flips and the logit margin. Version 3 added
 * the image's fine-grain noise level (noiseLevel, noiseUpperQuartile) and the 3- and 2-bit
 * squeezers (bit3Shift, bit2Shift, bit3Flip, bit2Flip).
 */
export const CALIBRATION_VERSION = 3;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
const finite = z.number().finite();

export const evasionCalibrationSchema = z
  .object({
    version: z
      .number()
      .int()
      .min(1)
      .default(1)
      .refine((v) => v <= CALIBRATION_VERSION, {
        message: `the evasion calibration is of a newer format than this version reads (up to ${CALIBRATION_VERSION}); recalibrate the bundle with acsr calibrate-evasion`,
      }),
    /** the signals in the order of weights, means and scales */
    signals: z.array(z.enum(SIGNAL_NAMES)).min(1),
    /** how the signals were chosen, when by cross-validation on the fitting data (format 3) */
    signalChoice: z
      .object({
        folds: z.number().int().min(2),
        falsePositiveRate: z.number().min(0).max(1),
        chosen: z.string(),
        candidates: z.array(
          z.object({
            name: z.string(),
            signals: z.array(z.enum(SIGNAL_NAMES)),
            caught: z.record(z.string(), z.number().min(0).max(1)),
            meanCaught: z.number(),
          }),
        ),
      })
      .optional(),
    weights: z.array(finite),
    bias: finite,
    means: z.array(finite),
    scales: z.array(z.number().positive()),
    l2: z.number().positive(),
    /** flagged: score > threshold */
    threshold: z.number().min(0).max(1),
    falsePositiveTarget: z.number().min(0).max(1),
    /**
     * how the threshold was set, when not at the quantile of the fitted clean scores (older
     * calibrations): at the quantile of the cross-validated held-out clean scores
     */
    thresholdChoice: z
      .object({
        method: z.literal('cross-validated'),
        folds: z.number().int().min(2),
        /** pooled over the folds' held-out images, at the threshold */
        heldOutFalsePositiveRate: z.number().min(0).max(1),
        heldOutTruePositiveRate: z.number().min(0).max(1),
      })
      .optional(),
    /** on the fitting data: the share of clean images above the threshold, of attacked ones */
    fittedFalsePositiveRate: z.number().min(0).max(1),
    fittedTruePositiveRate: z.number().min(0).max(1),
    /** the classifier whose verdicts the squeezing signals compare */
    model: z.object({ id: z.string().min(1), weightSha256: z.string().min(1) }),
    /** the purification settings the signals were computed with */
    purification: z.object({ tikhonovLambda: z.number().nonnegative(), cscLambda: z.number().nonnegative(), maxIterations: z.number().int().min(1) }),
    jpegQuality: z.number().int().min(1).max(100),
    /** per cluster id: median and robust scale (1.4826 MAD) of its training members' Mahalanobis distances */
    clusterDistances: z.record(z.string(), z.object({ median: finite, scale: z.number().positive(), members: z.number().int().min(1) })),
    data: z.object({
      /** SHA-256 over the sorted 'kind\tname\tsha256-of-pixels' lines of every fitting image */
      sha256,
      validationSha256: sha256,
      clean: z.number().int().min(1),
      /** attacked images per attack */
      attacked: z.record(z.string(), z.number().int().min(0)),
    }),
  })
  .refine((c) => [c.weights, c.means, c.scales].every((list) => list.length === c.signals.length) && new Set(c.signals).size === c.signals.length, {
    message: 'one weight, mean and scale per signal, each signal named once',
    path: ['signals'],
  });
export type EvasionCalibration = z.infer<typeof evasionCalibrationSchema>;
