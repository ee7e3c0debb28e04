/**
 * The one progress interface of the product. Long computations take a `ProgressReporter` and an
 * `AbortSignal` (see `TaskControl`); the CLI renders the events as a terminal bar and the desktop
 * app forwards them over IPC, which is why events are plain JSON-serialisable objects.
 */

export type ProgressMetrics = Record<string, number | number[]>;

/** What computing code says about itself. `fraction` is within the reporter's own 0..1 range. */
export interface ProgressUpdate {
  stage: string;
  fraction: number;
  message?: string;
  /** Solver diagnostics (residuals, objective, rho...), shown by the desktop app's plots. */
  metrics?: ProgressMetrics;
  /**
   * The whole task's seconds left, when the reporting code measures its work better than a linear
   * extrapolation of the fraction can (null: not known yet). Absent: extrapolated.
   */
  etaSeconds?: number | null;
}

/** What renderers receive: the update placed on the whole task's timeline. */
export interface ProgressEvent {
  /** Stages of the enclosing sub-reporters and this update, joined by ' / '. */
  stage: string;
  /** The fraction as the reporting code gave it, within its own stage. */
  stageFraction: number;
  /** Overall fraction of the whole task, 0..1. */
  fraction: number;
  message?: string;
  metrics?: ProgressMetrics;
  elapsedSeconds: number;
  /** Null until there is enough progress for an estimate to mean anything. */
  etaSeconds: number | null;
}

export type ProgressSink = (event: ProgressEvent) => void;

/** How long computations receive their progress reporting and cancellation. */
export interface TaskControl {
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

export const STAGE_SEPARATOR = ' / ';

interface ReporterPlacement {
  now: () => number;
  startedAtMs: number;
  from: number;
  to: number;
  stagePath: readonly string[];
}

export class ProgressReporter {
  readonly #sink: ProgressSink;
  readonly #placement: ReporterPlacement;

  constructor(sink: ProgressSink, options: { now?: () => number } = {}) {
    const now = options.now ?? (() => performance.now());
    this.#sink = sink;
    this.#placement = { now, startedAtMs: now(), from: 0, to: 1, stagePath: [] };
  }

  static #placed(sink: ProgressSink, placement: ReporterPlacement): ProgressReporter {
    const reporter = new ProgressReporter(sink, { now: placement.now });
    reporter.#placement.startedAtMs = placement.startedAtMs;
    reporter.#placement.from = placement.from;
    reporter.#placement.to = placement.to;
    reporter.#placement.stagePath = placement.stagePath;
    return reporter;
  }

  report(update: ProgressUpdate): void {
    const { now, startedAtMs, from, to, stagePath } = this.#placement;
    // A progress call must never take down a long solve, so a bad fraction is clamped, not thrown.
    const stageFraction = Number.isFinite(update.fraction) ? Math.min(1, Math.max(0, update.fraction)) : 0;
    const fraction = from + stageFraction * (to - from);
    const elapsedSeconds = Math.max(0, (now() - startedAtMs) / 1000);
    const event: ProgressEvent = {
      stage: joinStages(stagePath, update.stage),
      stageFraction,
      fraction,
      elapsedSeconds,
      etaSeconds: update.etaSeconds !== undefined ? update.etaSeconds : estimateRemainingSeconds(elapsedSeconds, fraction),
    };
    if (update.message !== undefined) event.message = update.message;
    if (update.metrics !== undefined) event.metrics = update.metrics;
    this.#sink(event);
  }

  /**
   * A reporter for a part of this task that occupies [from, to] of this reporter's range, so
   * that a solver can report 0..1 without knowing what surrounds it.
   */
  sub(from: number, to: number, stage?: string): ProgressReporter {
    if (!(from >= 0 && from <= to && to <= 1)) {
      throw new RangeError(`progress sub-range must satisfy 0 <= from <= to <= 1, got [${from}, ${to}]`);
    }
    const parent = this.#placement;
    const span = parent.to - parent.from;
    return ProgressReporter.#placed(this.#sink, {
      ...parent,
      from: parent.from + from * span,
      to: parent.from + to * span,
      stagePath: stage === undefined ? parent.stagePath : [...parent.stagePath, stage],
    });
  }
}

function joinStages(stagePath: readonly string[], stage: string): string {
  // `sub(0, 0.5, 'csc')` followed by `report({ stage: 'csc' })` should not read "csc / csc".
  const path = stagePath.at(-1) === stage ? stagePath : [...stagePath, stage];
  return path.join(STAGE_SEPARATOR);
}

/** Linear extrapolation; null before 0.1 % because earlier estimates are mostly noise. */
export function estimateRemainingSeconds(elapsedSeconds: number, fraction: number): number | null {
  if (fraction >= 1) return 0;
  if (!(fraction >= 1e-3) || !(elapsedSeconds > 0)) return null;
  return (elapsedSeconds * (1 - fraction)) / fraction;
}

/** A reporter that discards everything, for callers that do not care (tests, library use). */
export const silentProgress: ProgressReporter = new ProgressReporter(() => {});

/**
 * Forwards at most one event per interval, but always forwards stage changes and completion so
 * that a consumer never misses where the task is. Solvers may report every iteration; sinks that
 * cost something (terminal redraws, IPC messages) should be wrapped in this.
 */
export function throttleSink(sink: ProgressSink, minIntervalMs: number, now: () => number = () => performance.now()): ProgressSink {
  let lastForwardedAt = Number.NEGATIVE_INFINITY;
  let lastStage: string | undefined;
  return (event) => {
    const at = now();
    const isNewStage = event.stage !== lastStage;
    if (isNewStage || event.fraction >= 1 || at - lastForwardedAt >= minIntervalMs) {
      lastForwardedAt = at;
      lastStage = event.stage;
      sink(event);
    }
  };
}

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** Call between iterations of anything long; cancellation is cooperative. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof CancelledError) throw reason;
    throw new CancelledError(typeof reason === 'string' ? reason : 'cancelled');
  }
}
