import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { engineLane } from '../../main/acsr/purification/purification-engines.ts';
import type { TileCodingRequest } from '../../main/acsr/signal/code-and-rebuild.ts';
import { CbpdnWorkerPool } from '../../main/acsr/signal/parallel/cbpdn-worker-pool.ts';
import { WorkerTileLane } from '../../main/acsr/signal/parallel/code-on-worker.ts';
import { ParallelCbpdnEngine, fastEngineFactory } from '../../main/acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { loadSporcoReference } from '../support/shared-data.ts';
import { referenceDictionary32, referenceTilePlanes } from '../support/sporco-conformance.ts';

// A worker that codes whole tiles by itself must give the bits of the engines the main thread
// drives (serial, or one worker per tile), report its progress, stop when cancelled and stay
// usable, and recover from a failed tile with another worker.

const ref = loadSporcoReference('cbpdn_rgb_mcdict_defaults');
const [height, width, channels] = ref.arrays.s.shape;
const dictionary = referenceDictionary32(ref);
const planes = (mirrored: boolean) => referenceTilePlanes(ref, mirrored);

function request(mirrored: boolean, maxIterations: number): TileCodingRequest {
  // tolerance 0: every tile runs to the cap, so that the progress reports are known
  return { planes: planes(mirrored), height, width, channels, dictionary, lambda: ref.params.lmbda, tolerance: 0, maxIterations };
}

describe('tiles coded whole on a worker', () => {
  const pool = new CbpdnWorkerPool(2);
  after(() => pool.dispose());

  it('give the bits of the serial engine and of a one-worker engine driven from the main thread, tile after tile', async () => {
    const onWorker = new WorkerTileLane(pool);
    const serial = engineLane(fastEngineFactory(1));
    const driven = engineLane((layout, withL1Weight) => ParallelCbpdnEngine.create(layout, withL1Weight, 1, pool));
    try {
      for (const mirrored of [false, true, false]) {
        const a = await onWorker.code(request(mirrored, 23), undefined, () => {});
        const b = await serial.code(request(mirrored, 23), undefined, () => {});
        const c = await driven.code(request(mirrored, 23), undefined, () => {});
        assert.equal(a.iterations, 23);
        assert.deepEqual(a.reconstruction, b.reconstruction, 'worker against serial');
        assert.deepEqual(a.reconstruction, c.reconstruction, 'worker against a driven worker');
        assert.equal(a.objective, b.objective);
        assert.equal(a.primalResidual, c.primalResidual);
        assert.equal(a.dualResidual, c.dualResidual);
        assert.ok(a.reconstruction.some((v) => v !== 0));
      }
      assert.match(onWorker.description ?? '', /^1 worker thread, (WASM SIMD|JS) kernels$/);
    } finally {
      await Promise.all([onWorker.dispose(), serial.dispose(), driven.dispose()]);
    }
    assert.equal(pool.idleWorkers, 2, 'every worker back in the pool');
  });

  it('report progress every 10 iterations', async () => {
    const lane = new WorkerTileLane(pool);
    const heard: number[] = [];
    try {
      await lane.code(request(false, 25), undefined, (done) => heard.push(done));
    } finally {
      await lane.dispose();
    }
    assert.deepEqual(heard, [10, 20]);
  });

  it('stop when cancelled, with the caller’s reason, and the worker codes the next tile', async () => {
    const lane = new WorkerTileLane(pool);
    const controller = new AbortController();
    const reason = new Error('stopped by the examiner');
    try {
      await assert.rejects(
        lane.code(request(false, 100_000), controller.signal, (done) => {
          if (done === 10) controller.abort(reason);
        }),
        (error) => error === reason,
      );
      const next = await lane.code(request(true, 12), undefined, () => {});
      assert.equal(next.iterations, 12);
    } finally {
      await lane.dispose();
    }
    assert.equal(pool.idleWorkers, 2);
  });

  it('end a worker whose tile failed and code the next tile on another', async () => {
    const lane = new WorkerTileLane(pool);
    try {
      const broken = { ...request(false, 5), planes: new Float32Array(7) };
      await assert.rejects(
        lane.code(broken, undefined, () => {}),
        /CBPDN worker failed: .*signal has 7 values/,
      );
      const next = await lane.code(request(false, 5), undefined, () => {});
      assert.equal(next.iterations, 5);
    } finally {
      await lane.dispose();
    }
  });
});
