/**
 * `acsr serve` under malformed traffic from a local process that has no token: 10,000 hostile
 * connections (seeded, so a failure replays with ACSR_FUZZ_SEED) while a real import runs and a
 * valid page keeps calling. The host must answer each as the protocol says, stay up, keep
 * serving the valid page, and finish the import.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { JobSnapshot } from '../../main/ipc/contract/index.ts';
import { photosDir } from '../support/shared-data.ts';
import { CASE_KINDS } from './support/malformed-cases.ts';
import { runCase, runMalformedTraffic } from './support/malformed-traffic.ts';
import { frame, handshake, OPCODE } from './support/raw-websocket.ts';
import { connectValidClient, startServeProcess, waitForJob, type ServeProcess } from './support/serve-process.ts';

const SEED = Number(process.env.ACSR_FUZZ_SEED ?? 17_2026);
const CASES = 10_000;

let host: ServeProcess;
before(async () => {
  host = await startServeProcess();
});
after(async () => {
  await host?.stop();
});

function assertHostAlive(): void {
  assert.equal(host.child.exitCode, null, `acsr serve exited: ${host.stderr()}`);
  assert.equal(host.child.signalCode, null, `acsr serve was killed: ${host.stderr()}`);
}

test('the attacks that used to end the process are answered, and the host stays up', async () => {
  const address = { port: host.port, origin: host.origin, token: host.token };
  // An upgrade for a target the URL parser refuses: 400, not a throw out of the upgrade handler.
  assert.equal(
    await runCase(address, { kind: '//[', stage: 'tcp', chunks: [handshake({ ...address, target: '//[' })], expect: /^HTTP\/1\.1 400 / }, 10_000),
    null,
  );
  // One unmasked frame, without any token: the connection is dropped, nothing else.
  assert.equal(
    await runCase(
      address,
      { kind: 'unmasked', stage: 'upgraded', chunks: [frame({ opcode: OPCODE.text, payload: Buffer.from('{}'), masked: false })] },
      10_000,
    ),
    null,
  );
  // A frame announcing more than the 1 MiB limit.
  assert.equal(
    await runCase(address, { kind: 'oversized', stage: 'upgraded', chunks: [frame({ opcode: OPCODE.text, declaredLength: (1n << 20n) + 1n })] }, 10_000),
    null,
  );
  assertHostAlive();

  // A channel name over 100 characters is a refused call like any other, and the page stays connected.
  const client = await connectValidClient(host);
  try {
    const longName = await client.call(`app.state${'x'.repeat(5_000)}`, {});
    assert.equal(!longName.ok && longName.error.kind, 'invalid-input');
    assert.match(!longName.ok ? longName.error.message : '', /^unknown channel "app\.statex+/);
    assert.ok((await client.call('app.state', {})).ok, 'the same connection still answers');
  } finally {
    client.close();
  }
});

test(
  `${CASES.toLocaleString('en')} malformed connections: the host survives, serves a valid page throughout, and completes a running import`,
  { timeout: 180_000 },
  async () => {
    const client = await connectValidClient(host);
    try {
      assert.ok((await client.call('app.setExaminer', { name: 'F. Uzz' })).ok);
      const created = await client.call('cases.create', { number: 'FUZZ-1', title: 'Host under fire' });
      assert.ok(created.ok, JSON.stringify(created));
      const started = await client.call('jobs.start', { kind: 'import', caseId: 'FUZZ-1', sources: [photosDir] });
      assert.ok(started.ok, JSON.stringify(started));
      const jobId = (started.value as JobSnapshot).jobId;

      // The valid page keeps calling while the traffic runs; every call must be answered correctly.
      let fuzzing = true;
      const served = { calls: 0, correct: 0 };
      const validPage = (async () => {
        while (fuzzing) {
          served.calls++;
          const state = await client.call('app.state', {});
          if (state.ok && (state.value as { examiner: string | null }).examiner === 'F. Uzz') served.correct++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const trafficStart = Date.now();
      const report = await runMalformedTraffic({
        host: { port: host.port, origin: host.origin, token: host.token },
        seed: SEED,
        count: CASES,
        concurrency: 16,
      });
      fuzzing = false;
      await validPage;
      const elapsedS = ((Date.now() - trafficStart) / 1000).toFixed(1);

      assertHostAlive();
      assert.equal(report.cases, CASES);
      assert.deepEqual(report.problems, [], `seed ${SEED}: ${report.problemCount} cases mishandled`);
      assert.deepEqual(
        CASE_KINDS.filter((kind) => !report.byKind[kind]),
        [],
        'every kind of case was drawn',
      );
      assert.ok(served.calls > 10, `the valid page called during the traffic (${served.calls} calls in ${elapsedS} s)`);
      assert.equal(served.correct, served.calls, 'every call of the valid page was answered correctly');

      // The job started before the traffic was not lost: it completes with every photo.
      const job = await waitForJob(client, jobId, 120_000);
      assert.equal(job?.state, 'completed', JSON.stringify(job));
      const photoCount = (await readdir(photosDir)).length;
      assert.equal(job?.summary?.imported, photoCount);
      const evidence = await client.call('evidence.list', { caseId: 'FUZZ-1' });
      assert.equal(evidence.ok && (evidence.value as unknown[]).length, photoCount);
    } finally {
      client.close();
    }
    // A page that connects afresh after all that is welcomed and answered.
    const fresh = await connectValidClient(host);
    try {
      const cases = await fresh.call('cases.list', {});
      assert.deepEqual(cases.ok && (cases.value as { caseId: string }[]).map((summary) => summary.caseId), ['FUZZ-1']);
    } finally {
      fresh.close();
    }
    assertHostAlive();
  },
);
