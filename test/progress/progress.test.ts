import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CancelledError,
  ProgressReporter,
  estimateRemainingSeconds,
  throttleSink,
  throwIfCancelled,
  type ProgressEvent,
} from '../../main/progress/progress.ts';
import { createTerminalProgress, formatDuration } from '../../main/progress/terminal-progress-bar.ts';

function fakeClock() {
  let nowMs = 0;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('ProgressReporter', () => {
  it('maps sub-reporters onto the parent range, joins stages and estimates the remaining time', () => {
    const clock = fakeClock();
    const events: ProgressEvent[] = [];
    const root = new ProgressReporter((event) => events.push(event), { now: clock.now });
    const learning = root.sub(0.5, 1, 'learn');
    const codingStep = learning.sub(0, 0.5, 'csc');
    clock.advance(10_000);
    codingStep.report({ stage: 'admm', fraction: 0.5, message: 'iteration 10/20', metrics: { primal: 0.1, rho: [1, 2] } });
    codingStep.report({ stage: 'csc', fraction: 2 });
    learning.report({ stage: 'learn', fraction: Number.NaN });

    assert.deepEqual(events[0], {
      stage: 'learn / csc / admm',
      stageFraction: 0.5,
      fraction: 0.625,
      message: 'iteration 10/20',
      metrics: { primal: 0.1, rho: [1, 2] },
      elapsedSeconds: 10,
      etaSeconds: 6,
    });
    assert.equal(events[1].stage, 'learn / csc');
    assert.equal(events[1].fraction, 0.75, 'fractions are clamped to 1');
    assert.equal(events[2].fraction, 0.5, 'NaN is read as 0, not thrown');
    // Events cross process boundaries (IPC), so they must survive JSON unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(events[0])), events[0]);
    assert.throws(() => root.sub(0.6, 0.4), RangeError);
  });

  it('estimates ETA linearly and only once there is progress', () => {
    assert.equal(estimateRemainingSeconds(10, 0), null);
    assert.equal(estimateRemainingSeconds(10, 0.25), 30);
    assert.equal(estimateRemainingSeconds(10, 1), 0);
  });

  it('throttles, but never drops a stage change or completion', () => {
    const clock = fakeClock();
    const seen: string[] = [];
    const sink = throttleSink((event) => seen.push(`${event.stage}:${event.fraction}`), 100, clock.now);
    const reporter = new ProgressReporter(sink, { now: clock.now });
    for (let i = 0; i <= 10; i++) {
      reporter.report({ stage: i < 5 ? 'a' : 'b', fraction: i / 10 });
      clock.advance(30);
    }
    assert.deepEqual(seen, ['a:0', 'a:0.4', 'b:0.5', 'b:0.9', 'b:1']);
  });
});

describe('cancellation', () => {
  it('throws CancelledError once the signal is aborted', () => {
    const controller = new AbortController();
    throwIfCancelled(controller.signal);
    throwIfCancelled(undefined);
    controller.abort();
    assert.throws(() => throwIfCancelled(controller.signal), CancelledError);
  });
});

describe('terminal progress', () => {
  const captureStream = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY, columns: 60, write: (chunk: string) => chunks.push(chunk) } };
  };

  it('draws one redrawn line on a TTY', () => {
    const clock = fakeClock();
    const { chunks, stream } = captureStream(true);
    const progress = createTerminalProgress({ stream, now: clock.now });
    for (let i = 0; i <= 100; i++) {
      clock.advance(10);
      progress.reporter.report({ stage: 'csc', fraction: i / 100, message: `iteration ${i}` });
    }
    progress.close();
    assert.ok(chunks.length < 20, `throttled, got ${chunks.length} redraws`);
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.startsWith('\r\x1b[2K') && !chunk.includes('\n')));
    assert.match(chunks.at(-2)!, /csc {2}\[#{24}\] {2}100% {2}iteration 100/);
    assert.equal(chunks.at(-1), '\n');
    assert.ok(chunks.every((chunk) => chunk.length <= 60 + 4));
  });

  it('prints occasional plain lines elsewhere', () => {
    const clock = fakeClock();
    const { chunks, stream } = captureStream(false);
    const progress = createTerminalProgress({ stream, now: clock.now, label: 'acsr csc' });
    for (let i = 0; i <= 1000; i++) {
      clock.advance(50);
      progress.reporter.report({ stage: 'csc', fraction: i / 1000 });
    }
    assert.ok(chunks.length >= 5 && chunks.length <= 12, `got ${chunks.length} lines`);
    assert.ok(chunks.every((line) => line.startsWith('acsr csc: csc ') && line.endsWith('\n') && !line.includes('\r')));
    assert.match(chunks.at(-1)!, /100% \(elapsed 50s\)/);
  });

  it('formats durations coarsely', () => {
    assert.deepEqual([formatDuration(7.4), formatDuration(185), formatDuration(7440)], ['7s', '3m 05s', '2h 04m']);
  });
});
