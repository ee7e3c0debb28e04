import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import type { ObjectiveSettings } from './dictionary-objectives.ts';

/** What every objective worker starts with: all dictionaries and all signals (sent once). */
export interface ObjectiveWorkerSetup {
  readonly dictionaries: ConvDictionary<Float32Array>[];
  /** the signals one after another, each channels x size x size */
  readonly signals: Float32Array;
  readonly count: number;
  readonly size: number;
  readonly channels: number;
  readonly settings: ObjectiveSettings;
}

/** One block: signals [from, from + settings.block) coded with dictionary `dictionary`. */
export interface ObjectiveJob {
  readonly job: number;
  readonly dictionary: number;
  readonly from: number;
}

export type ObjectiveWorkerReply = { readonly job: number; readonly objectives: number[] } | { readonly job: number; readonly failure: string };
