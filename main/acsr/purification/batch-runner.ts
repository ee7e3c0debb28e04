import { ProgressReporter } from '../../progress/progress.ts';

/**
 * Purifying a batch: images in flight at once (so that decoding, the latent and the PNG encoding
 * of one image overlap the sparse coding of another, and an image of one tile has a worker of its
 * own), bounded by the pixels they hold: a purification holds, besides the image, x_low and x_pur
 * in float32 (24 bytes per RGB pixel; 36 with the reconstruction kept for saving), so two
 * 24-megapixel photos should not be in flight together.
 */
export interface BatchRunOptions {
  /** images in flight at most */
  readonly imagesAtOnce: number;
  /** pixels in flight at most; one image runs alone whatever its size */
  readonly pixelBudget?: number;
}

/** Default pixel budget for images in flight together: four megapixels (~150 MB of parts, the images aside). */
export const DEFAULT_BATCH_PIXEL_BUDGET = 4_000_000;

/**
 * Runs `work` on every item, up to `imagesAtOnce` at once; results in the items' order. `work`
 * calls `admit(pixels)` once it knows its image's size and before the memory-heavy part. After
 * the first failure no new item starts, and that failure is thrown once the running ones end.
 */
export async function runBatch<T, R>(
  items: readonly T[],
  options: BatchRunOptions,
  work: (item: T, index: number, admit: (pixels: number) => Promise<() => void>) => Promise<R>,
): Promise<R[]> {
  const gate = new PixelGate(options.pixelBudget ?? DEFAULT_BATCH_PIXEL_BUDGET);
  const results: R[] = new Array(items.length);
  const next = items.entries();
  let failure: { error: unknown } | undefined;
  const lanes = Math.max(1, Math.min(options.imagesAtOnce, items.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let item = next.next(); !item.done && !failure; item = next.next()) {
        const [index, value] = item.value;
        let leave: (() => void) | undefined;
        try {
          results[index] = await work(value, index, async (pixels) => (leave = await gate.enter(pixels)));
        } catch (error) {
          failure ??= { error };
        } finally {
          leave?.();
        }
      }
    }),
  );
  if (failure) throw failure.error;
  return results;
}

class PixelGate {
  private inFlight = 0;
  private running = 0;
  private readonly waiting: { pixels: number; admit: () => void }[] = [];

  private readonly budget: number;
  constructor(budget: number) {
    this.budget = budget;
  }

  async enter(pixels: number): Promise<() => void> {
    if (this.waiting.length > 0 || !this.fits(pixels)) await new Promise<void>((admit) => this.waiting.push({ pixels, admit }));
    else this.take(pixels);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight -= pixels;
      this.running--;
      this.serve();
    };
  }

  private fits(pixels: number): boolean {
    return this.running === 0 || this.inFlight + pixels <= this.budget;
  }

  private take(pixels: number): void {
    this.inFlight += pixels;
    this.running++;
  }

  private serve(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0].pixels)) {
      const next = this.waiting.shift()!;
      this.take(next.pixels);
      next.admit();
    }
  }
}

/**
 * Progress of a batch whose items run at once: each item reports 0..1 on its own reporter, and
 * the batch's bar shows their mean, so that it moves forward however the items interleave.
 */
export class BatchProgress {
  private readonly fractions: Float64Array;

  private readonly parent: ProgressReporter;
  private readonly stage: string;
  constructor(parent: ProgressReporter, count: number, stage: string = 'purify') {
    this.parent = parent;
    this.stage = stage;
    this.fractions = new Float64Array(Math.max(1, count));
  }

  item(index: number, label: string): ProgressReporter {
    return new ProgressReporter((event) => {
      this.fractions[index] = event.fraction;
      const done = this.fractions.reduce((sum, f) => sum + f, 0) / this.fractions.length;
      this.parent.report({ stage: this.stage, fraction: done, message: `${label}: ${event.stage}${event.message ? ` (${event.message})` : ''}` });
    });
  }
}

/** Images per minute over `seconds` of wall time. */
export function imagesPerMinute(images: number, seconds: number): number {
  return seconds > 0 ? (60 * images) / seconds : 0;
}
