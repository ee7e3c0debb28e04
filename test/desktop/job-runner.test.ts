/**
 * The job queue with real worker threads: one job at a time in submission order, progress
 * streamed as snapshots, cancel of running and queued jobs, failures and crashed workers
 * reported as failed jobs, parameters that do not fit the action's schema failed with the
 * reason, kinds without an action refused.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { JobOutputEvent, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { UnavailableError } from '../../main/ipc/call-failure.ts';
import { INTERNAL_JOB_FAILURE, JobRunner } from '../../main/jobs/job-runner.ts';
import type { countingAction } from './fixtures/counting-job.ts';

const COUNTING_JOB = new URL('./fixtures/counting-job.ts', import.meta.url);
let runner: JobRunner<{ import: typeof countingAction }>;

function startRunner(): { runner: JobRunner<{ import: typeof countingAction }>; events: JobSnapshot[] } {
  runner = new JobRunner({ import: COUNTING_JOB });
  const events: JobSnapshot[] = [];
  runner.onChange((snapshot) => events.push(snapshot));
  return { runner, events };
}

function submit(
  parameters: { steps: number; stepMs: number; failAtStep?: number; crashAtStep?: number; outputs?: boolean; spinMs?: number },
  label = 'count',
): JobSnapshot {
  return runner.submit('import', parameters, { label, caseId: null });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(async () => {
  await runner?.close();
});

test('jobs run one at a time in submission order, streaming progress, and report their summary', { timeout: 30_000 }, async () => {
  const { events } = startRunner();
  const first = submit({ steps: 5, stepMs: 120 }, 'first');
  const second = submit({ steps: 2, stepMs: 10 }, 'second');
  assert.equal(second.state, 'queued');
  await runner.whenIdle();

  const running = events.filter((event) => event.state === 'running');
  const firstFinished = events.findIndex((event) => event.jobId === first.jobId && event.state === 'completed');
  const secondStarted = events.findIndex((event) => event.jobId === second.jobId && event.state === 'running');
  assert.ok(firstFinished >= 0 && secondStarted > firstFinished, 'the second job starts only after the first finished');
  const fractions = running.filter((event) => event.jobId === first.jobId && event.progress).map((event) => event.progress!.fraction);
  assert.ok(fractions.length >= 3, `progress events: ${fractions}`);
  assert.deepEqual(
    fractions,
    [...fractions].sort((a, b) => a - b),
  );
  assert.equal(fractions.at(-1), 1);
  const finished = runner.list();
  assert.deepEqual(
    finished.map((job) => [job.label, job.state, job.summary]),
    [
      ['first', 'completed', { counted: 5 }],
      ['second', 'completed', { counted: 2 }],
    ],
  );
  assert.ok(finished.every((job) => job.finishedAt !== null));
});

test('cancel stops the running job at its next check and drops a queued job without starting it', { timeout: 30_000 }, async () => {
  const { events } = startRunner();
  const long = submit({ steps: 1000, stepMs: 20 });
  const queued = submit({ steps: 1, stepMs: 1 });
  const after = submit({ steps: 1, stepMs: 1 });
  await until(() => events.some((event) => event.jobId === long.jobId && event.progress !== null), 'progress of the long job');

  assert.equal(runner.cancel(queued.jobId).state, 'cancelled');
  const cancelAsked = performance.now();
  runner.cancel(long.jobId);
  await runner.whenIdle();
  assert.ok(performance.now() - cancelAsked < 5_000, 'cancel took effect promptly');

  const stateOf = (jobId: number) => runner.list().find((job) => job.jobId === jobId)!.state;
  assert.equal(stateOf(long.jobId), 'cancelled');
  assert.equal(stateOf(queued.jobId), 'cancelled');
  assert.equal(stateOf(after.jobId), 'completed');
  assert.ok(!events.some((event) => event.jobId === queued.jobId && event.state === 'running'), 'the cancelled queued job never ran');
});

test('a job that throws and a worker that dies are failed jobs with a message, and the queue goes on', { timeout: 30_000 }, async () => {
  startRunner();
  const failing = submit({ steps: 3, stepMs: 5, failAtStep: 2 });
  const crashing = submit({ steps: 3, stepMs: 5, crashAtStep: 1 });
  const fine = submit({ steps: 1, stepMs: 1 });
  await runner.whenIdle();
  const byId = new Map(runner.list().map((job) => [job.jobId, job]));
  assert.equal(byId.get(failing.jobId)?.state, 'failed');
  // the investigator's mistake is said as it is; a crash is the workstation's fault: words for them, the technical line on demand
  assert.equal(byId.get(failing.jobId)?.error, 'step 2 found something wrong with the input');
  assert.equal(byId.get(failing.jobId)?.errorDetails, null);
  assert.equal(byId.get(crashing.jobId)?.state, 'failed');
  assert.equal(byId.get(crashing.jobId)?.error, INTERNAL_JOB_FAILURE);
  assert.match(byId.get(crashing.jobId)?.errorDetails ?? '', /stopped unexpectedly \(exit code 3\)/);
  assert.equal(byId.get(fine.jobId)?.state, 'completed');
});

test('outputs reach listeners at once and in order, none dropped by the progress throttle, and stay listed with their job', { timeout: 30_000 }, async () => {
  startRunner();
  const seen: JobOutputEvent[] = [];
  runner.onOutput((event) => seen.push(event));
  // Steps far faster than the 100 ms progress throttle: every output must still arrive.
  const job = submit({ steps: 6, stepMs: 1, outputs: true });
  await runner.whenIdle();
  assert.deepEqual(
    seen.map((event) => [event.jobId, event.index, event.output.type === 'wcss' && event.output.className]),
    [1, 2, 3, 4, 5, 6].map((step) => [job.jobId, step - 1, `class-${step}`]),
  );
  assert.deepEqual(runner.outputs(job.jobId), seen);
  assert.throws(() => runner.outputs(999), /no job 999/);
});

test('a job computing without yielding to the event loop still sees its cancel at its next check', { timeout: 30_000 }, async () => {
  const { events } = startRunner();
  const job = submit({ steps: 1, stepMs: 1, spinMs: 20_000 });
  await until(() => events.some((event) => event.jobId === job.jobId && event.progress?.fraction === 1), 'the spin to start');
  const asked = performance.now();
  runner.cancel(job.jobId);
  await runner.whenIdle();
  assert.equal(runner.list()[0].state, 'cancelled');
  // Far below the 15 s after which the runner stops a worker by force.
  assert.ok(performance.now() - asked < 3_000, `cancelled after ${Math.round(performance.now() - asked)} ms`);
});

test("parameters that do not fit the action's schema fail the job with the reason, and the queue goes on", { timeout: 30_000 }, async () => {
  startRunner();
  // Typed submit keeps this out of the product; a runner fed from elsewhere (IPC, a stale caller) may still send it.
  const wrong = runner.submit('import', JSON.parse('{"steps":"five","stepMs":1}'), { label: 'wrong', caseId: null });
  const fine = submit({ steps: 1, stepMs: 1 });
  await runner.whenIdle();
  const byId = new Map(runner.list().map((job) => [job.jobId, job]));
  assert.equal(byId.get(wrong.jobId)?.state, 'failed');
  assert.match(byId.get(wrong.jobId)?.error ?? '', /^import: steps: /);
  assert.equal(byId.get(fine.jobId)?.state, 'completed');
});

test('a kind without an action module is refused as unavailable', () => {
  const partial = new JobRunner({});
  assert.throws(() => partial.submit('verify', { caseFolder: '/nowhere', examiner: 'x' }, { label: 'verify', caseId: null }), UnavailableError);
  assert.deepEqual(partial.list(), []);
});
