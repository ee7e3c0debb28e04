import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import type { SpecificityResult } from './specificity-check.ts';

/** What a caller may watch while stage i runs. */
export interface TrainingObserver {
  /** A class clustered: its WCSS curve for k = 1..K_max (one value for a fixed k) and the k chosen. */
  classClustered?(result: {
    className: string;
    wcss: readonly number[];
    chosenK: number;
    chosenBy: 'elbow' | 'fixed';
    elbowK: number;
    minClusterSize: number;
  }): void;
  /** A cluster's dictionary learned (atom-major layout, see ConvDictionary). */
  dictionaryLearned?(result: { clusterId: string; sampleCount: number; dictionary: ConvDictionary<Float32Array> }): void;
  /** The specificity check done (its heat map as the bundle stores it). */
  specificityChecked?(result: { check: SpecificityResult; png: Buffer }): void;
}
