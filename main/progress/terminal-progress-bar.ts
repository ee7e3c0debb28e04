/**
 * Renders progress events on a terminal: a single redrawn line when a person is watching (TTY),
 * occasional plain lines otherwise, so that CI logs get a trace without one line per iteration.
 */
import { ProgressReporter, throttleSink, type ProgressEvent, type ProgressSink } from './progress.ts';

export interface ProgressOutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type TerminalProgressMode = 'auto' | 'bar' | 'lines';

export interface TerminalProgressOptions {
  stream?: ProgressOutputStream;
  /** 'auto' draws a bar on a TTY and plain lines elsewhere. */
  mode?: TerminalProgressMode;
  /** Prefix of plain lines, e.g. 'acsr csc'. */
  label?: string;
  now?: () => number;
}

export interface TerminalProgress {
  reporter: ProgressReporter;
  /** Removes the bar so that other output can be written without being garbled. */
  interrupt(): void;
  /** Ends the bar's line; call once the task is over. */
  close(): void;
}

const BAR_REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 24;
const PLAIN_MIN_STEP = 0.1;
const PLAIN_MIN_INTERVAL_MS = 2_000;
const PLAIN_HEARTBEAT_MS = 30_000;
const CLEAR_LINE = '\r\x1b[2K';

export function createTerminalProgress(options: TerminalProgressOptions = {}): TerminalProgress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const mode = options.mode ?? 'auto';
  const drawBar = mode === 'bar' || (mode === 'auto' && stream.isTTY === true);
  return drawBar ? barProgress(stream, now) : plainLineProgress(stream, now, options.label);
}

function barProgress(stream: ProgressOutputStream, now: () => number): TerminalProgress {
  let barIsDrawn = false;
  const draw: ProgressSink = (event) => {
    const columns = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write(CLEAR_LINE + formatBarLine(event, columns));
    barIsDrawn = true;
  };
  return {
    reporter: new ProgressReporter(throttleSink(draw, BAR_REDRAW_INTERVAL_MS, now), { now }),
    interrupt() {
      if (barIsDrawn) stream.write(CLEAR_LINE);
      barIsDrawn = false;
    },
    close() {
      if (barIsDrawn) stream.write('\n');
      barIsDrawn = false;
    },
  };
}

function plainLineProgress(stream: ProgressOutputStream, now: () => number, label: string | undefined): TerminalProgress {
  let lastStage: string | undefined;
  let lastFraction = 0;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let finished = false;
  const sink: ProgressSink = (event) => {
    const at = now();
    const isNewStage = event.stage !== lastStage;
    const isFinish = event.fraction >= 1 && !finished;
    const madeProgress = event.fraction - lastFraction >= PLAIN_MIN_STEP && at - lastLineAt >= PLAIN_MIN_INTERVAL_MS;
    const isHeartbeat = at - lastLineAt >= PLAIN_HEARTBEAT_MS;
    if (!(isNewStage || isFinish || madeProgress || isHeartbeat)) return;
    stream.write(formatPlainLine(event, label) + '\n');
    lastStage = event.stage;
    lastFraction = event.fraction;
    lastLineAt = at;
    finished = event.fraction >= 1;
  };
  return { reporter: new ProgressReporter(sink, { now }), interrupt() {}, close() {} };
}

export function formatBarLine(event: ProgressEvent, columns: number): string {
  const filled = Math.round(event.fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const parts = [event.stage, bar, formatPercent(event.fraction)];
  if (event.etaSeconds !== null && event.fraction < 1) parts.push(`ETA ${formatDuration(event.etaSeconds)}`);
  if (event.message) parts.push(event.message);
  return truncate(parts.join('  '), columns);
}

export function formatPlainLine(event: ProgressEvent, label?: string): string {
  const timing = [`elapsed ${formatDuration(event.elapsedSeconds)}`];
  if (event.etaSeconds !== null && event.fraction < 1) timing.push(`ETA ${formatDuration(event.etaSeconds)}`);
  const prefix = label ? `${label}: ` : '';
  const message = event.message ? ` - ${event.message}` : '';
  return `${prefix}${event.stage} ${formatPercent(event.fraction)} (${timing.join(', ')})${message}`;
}

function formatPercent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`.padStart(4);
}

/** "7s", "3m 05s", "2h 04m": coarse on purpose, an ETA is never precise. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(secs).padStart(2, '0')}s`;
  return `${secs}s`;
}

function truncate(text: string, columns: number): string {
  return text.length <= columns ? text : text.slice(0, Math.max(0, columns - 1)) + '…';
}

/** One JSON object per line, for a parent process (the desktop app, scripts) that parses progress. */
export function jsonLinesProgress(stream: ProgressOutputStream, minIntervalMs = 100): ProgressReporter {
  return new ProgressReporter(throttleSink((event) => stream.write(JSON.stringify(event) + '\n'), minIntervalMs));
}
