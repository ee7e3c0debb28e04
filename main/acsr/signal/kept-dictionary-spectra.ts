import type { FloatArray } from '../array/float-array.ts';
import type { CbpdnBuffers } from './cbpdn-kernels.ts';
import { type LoadedDictionary, sameAtoms } from './loaded-dictionary.ts';

/** The buffers that depend on the dictionary alone: its spectrum and the Woodbury Gram matrices. */
const DICTIONARY_BUFFERS = ['dictRe', 'dictIm', 'factorRe', 'factorIm'] as const;

interface KeptSpectra {
  readonly dictionary: LoadedDictionary;
  readonly arrays: Record<(typeof DICTIONARY_BUFFERS)[number], FloatArray>;
  readonly bytes: number;
}

/**
 * Spectra of the dictionaries an engine loaded before the one it holds now. A batch of images
 * switches between the bundle's clusters from one image to the next, and loading a dictionary
 * anew (its DFT, 192 planes for 64 RGB atoms, and its Gram matrices) cost ~130 ms of a 224x224
 * image's ~450 ms of sparse coding; copying a kept spectrum back costs a few milliseconds. A
 * restored spectrum is the very bytes that loading wrote, so the solver computes exactly what it
 * would have. Spectra are copied out only when another dictionary replaces them, so an engine
 * that keeps one dictionary (the tiles of one photo) holds no second copy; the oldest are dropped
 * beyond `capacityBytes`.
 */
export class KeptDictionarySpectra {
  private kept: KeptSpectra[] = [];
  /** The arrays of the entry restored last, reused for the next one kept: fresh memory costs page faults. */
  private spare: KeptSpectra['arrays'] | undefined;
  private readonly capacityBytes: number;

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
  }

  /**
   * Before `incoming` replaces the dictionary the buffers hold (`outgoing`): keeps the outgoing
   * spectra, and writes the incoming ones back if they were kept. True when they were (the
   * caller then skips loading it and its Gram matrices).
   */
  swap<T extends FloatArray>(buffers: CbpdnBuffers<T>, outgoing: LoadedDictionary | null, incoming: LoadedDictionary): boolean {
    const index = this.kept.findIndex((entry) => sameAtoms(entry.dictionary, incoming));
    const restoring = index >= 0 ? this.kept.splice(index, 1)[0] : undefined;
    if (outgoing) this.keep(buffers, outgoing);
    if (!restoring) return false;
    for (const name of DICTIONARY_BUFFERS) buffers[name].set(restoring.arrays[name]);
    this.spare = restoring.arrays;
    return true;
  }

  /** The bytes held (for the tests and the benchmark's memory account). */
  get bytes(): number {
    return this.kept.reduce((sum, entry) => sum + entry.bytes, 0);
  }

  clear(): void {
    this.kept = [];
    this.spare = undefined;
  }

  private keep<T extends FloatArray>(buffers: CbpdnBuffers<T>, dictionary: LoadedDictionary): void {
    const bytes = DICTIONARY_BUFFERS.reduce((sum, name) => sum + buffers[name].byteLength, 0);
    if (bytes > this.capacityBytes) return;
    const spare = this.spare;
    this.spare = undefined;
    const arrays = {} as KeptSpectra['arrays'];
    for (const name of DICTIONARY_BUFFERS) {
      const source = buffers[name];
      const reusable = spare && spare[name].length === source.length ? spare[name] : undefined;
      reusable?.set(source);
      arrays[name] = reusable ?? source.slice();
    }
    this.kept.push({ dictionary, arrays, bytes });
    // the oldest first out: a batch returns to the clusters it met most recently
    while (this.bytes > this.capacityBytes) this.kept.shift();
  }
}
