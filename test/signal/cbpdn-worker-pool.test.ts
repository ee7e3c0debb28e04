import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConvBpdn, type CbpdnEngineFactory } from '../../main/acsr/signal/cbpdn.ts';
import { fromSporcoLayout } from '../../main/acsr/signal/conv-dictionary.ts';
import { CbpdnWorkerPool } from '../../main/acsr/signal/parallel/cbpdn-worker-pool.ts';
import { ParallelCbpdnEngine } from '../../main/acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { loadSporcoReference, relativeMaxError } from '../support/shared-data.ts';
import { optionsFromSporco } from '../support/sporco-conformance.ts';

// Pooled CBPDN workers serve one solver after another (of other sizes in between) and compute
// exactly what freshly started workers compute.

async function solveReference(name: string, engine: CbpdnEngineFactory<Float32Array>) {
  const ref = loadSporcoReference(name);
  const s = ref.arrays.s;
  const [height, width, channels = 1] = s.shape;
  const planes = new Float32Array(s.data.length);
  for (let i = 0; i < height * width; i++) for (let c = 0; c < channels; c++) planes[c * height * width + i] = s.data[i * channels + c];
  const d = fromSporcoLayout(ref.arrays.D.shape, ref.arrays.D.data);
  const solver = await ConvBpdn.create({
    dictionary: { ...d, data: Float32Array.from(d.data) },
    signal: { height, width, channels, images: 1, planes },
    lambda: ref.params.lmbda,
    options: optionsFromSporco(ref.params),
    engine,
  });
  try {
    const run = await solver.solve();
    return { iterations: run.iterations, y: Float32Array.from(solver.variable('Y')), sporcoY: solver.variableInSporcoLayout('Y').data, ref };
  } finally {
    await solver.dispose();
  }
}

test('pooled workers, reused across solvers of different sizes, give the same Y as new workers, bit for bit', async () => {
  const pool = new CbpdnWorkerPool(2);
  const described: string[] = [];
  const pooled: CbpdnEngineFactory<Float32Array> = async (layout, withL1Weight) => {
    const engine = await ParallelCbpdnEngine.create(layout, withL1Weight, 2, pool);
    described.push(engine.description);
    return engine;
  };
  try {
    const fresh = await solveReference('cbpdn_rgb_mcdict_defaults', (layout, l1) => ParallelCbpdnEngine.create(layout, l1, 2));
    const first = await solveReference('cbpdn_rgb_mcdict_defaults', pooled);
    const other = await solveReference('cbpdn_gray_fixedrho', pooled);
    const again = await solveReference('cbpdn_rgb_mcdict_defaults', pooled);
    assert.equal(first.iterations, fresh.iterations);
    assert.deepEqual(first.y, fresh.y);
    assert.deepEqual(again.y, fresh.y);
    // the solver in between was a real one too: it still agrees with SPORCO
    assert.equal(other.iterations, other.ref.iterations);
    assert.ok(relativeMaxError(other.sporcoY, other.ref.arrays.Y.data) < 1e-5);
    assert.deepEqual(described, ['2 worker threads, WASM SIMD kernels', '2 worker threads, WASM SIMD kernels', '2 worker threads, WASM SIMD kernels']);
  } finally {
    await pool.dispose();
  }
});

test('the pool lends the same workers again, all or nothing, first come first served', async () => {
  const pool = new CbpdnWorkerPool(2);
  try {
    const one = await pool.lease(1);
    assert.equal(one.length, 1);
    const order: string[] = [];
    const both = pool.lease(2).then((workers) => {
      order.push('both');
      return workers;
    });
    // one worker is free, but the request for two came first
    const single = pool.lease(1).then((workers) => {
      order.push('single');
      return workers;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(order, []);
    pool.release(one);
    const pair = await both;
    assert.deepEqual(order, ['both']);
    assert.ok(pair.includes(one[0]), 'the released worker is lent again, not a new one');
    pool.release(pair);
    const last = await single;
    assert.deepEqual(order, ['both', 'single']);
    assert.ok(pair.includes(last[0]));
    pool.release(last);
    // asking for more than the pool holds gives all of it
    const all = await pool.lease(5);
    assert.equal(all.length, 2);
    pool.release(all);
  } finally {
    await pool.dispose();
  }
  await assert.rejects(pool.lease(1), /closed/);
});

test('prestarted workers are the ones lent, and solve as new workers do; one that dies while idle is replaced, not lent', async () => {
  const pool = new CbpdnWorkerPool(2);
  try {
    assert.equal(pool.idleWorkers, 0, 'workers start on demand');
    pool.prestart();
    assert.equal(pool.idleWorkers, 2, 'both started before any lease');
    pool.prestart();
    assert.equal(pool.idleWorkers, 2, 'never more than the pool holds');
    const fresh = await solveReference('cbpdn_rgb_mcdict_defaults', (layout, l1) => ParallelCbpdnEngine.create(layout, l1, 2));
    const pair = await pool.lease(2);
    const threadIds = pair.map((worker) => worker.threadId).sort();
    pool.release(pair);
    const prestarted = await solveReference('cbpdn_rgb_mcdict_defaults', (layout, l1) => ParallelCbpdnEngine.create(layout, l1, 2, pool));
    assert.deepEqual(prestarted.y, fresh.y);
    const again = await pool.lease(2);
    assert.deepEqual(again.map((worker) => worker.threadId).sort(), threadIds, 'the prestarted workers, no others');
    pool.release(again);
    // a worker ended while idle leaves the pool; the next lease starts another and still solves
    const dead = again[0];
    await dead.terminate();
    for (let wait = 0; wait < 100 && pool.idleWorkers > 1; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(pool.idleWorkers, 1);
    const after = await solveReference('cbpdn_rgb_mcdict_defaults', (layout, l1) => ParallelCbpdnEngine.create(layout, l1, 2, pool));
    assert.deepEqual(after.y, fresh.y);
    const last = await pool.lease(2);
    assert.ok(!last.includes(dead), 'the dead worker is not lent');
    assert.ok(last.includes(again[1]), 'the live one is');
    pool.release(last);
  } finally {
    await pool.dispose();
  }
});
