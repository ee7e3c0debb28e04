/**
 * The interface ACSR and every comparison defense share, so that evaluation treats them
 * alike: an image in, a purified image of the same size out, plus what the defense chose.
 */
import type { ImageArray } from '../array/image-array.ts';

export interface DefenseOutput {
  readonly image: ImageArray;
  /** the cluster a semantic defense selected (ACSR), for cluster-agreement under attack; absent otherwise */
  readonly clusterId?: string;
  readonly seconds: number;
}

export interface DefenseContext {
  /** for randomised defenses (TVM's pixel mask): a fresh draw per seed, for EOT */
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

export interface Defense {
  /** the name used on the command line and in tables: none, jpeg75, jpeg50, median3, bits4, tvm, lowpass, single-dict, acsr */
  readonly name: string;
  /** one line for the results table's legend, with the parameters */
  readonly description: string;
  /** true when the output depends on the seed (BPDA then averages gradients over draws: EOT) */
  readonly randomized: boolean;
  purify(image: ImageArray, context?: DefenseContext): Promise<DefenseOutput>;
  dispose(): Promise<void>;
}
