/**
 * The evasion score's calibration as a bundle's manifest keeps it (section `evasionCalibration`,
 * optional: bundles without it load as before). Kept apart from the fitting code so that the
 * manifest schema imports nothing heavier than zod.
 */
import { z } from 'zod';

export const SIGNAL_NAMES = ['purificationShift', 'jpegShift', 'medianShift', 'latentOutlier'] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];
export type EvasionSignals = Record<SignalName, number>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
const finite = z.number().finite();

export const evasionCalibrationSchema = z.object({
  /** the signals in the order of weights, means and scales */
  signals: z.array(z.enum(SIGNAL_NAMES)).min(1),
  weights: z.array(finite),
  bias: finite,
  means: z.array(finite),
  scales: z.array(z.number().positive()),
  l2: z.number().positive(),
  /** flagged: score > threshold */
  threshold: z.number().min(0).max(1),
  falsePositiveTarget: z.number().min(0).max(1),
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
});
export type EvasionCalibration = z.infer<typeof evasionCalibrationSchema>;
