import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TileEnginePool } from '../../main/acsr/signal/tile-engine-pool.ts';
import type { CbpdnEngine } from '../../main/acsr/signal/cbpdn-engine.ts';
import type { LinearSolver } from '../../main/acsr/signal/cbpdn-kernels.ts';
import { ConvBpdn, type CbpdnEngineFactory } from '../../main/acsr/signal/cbpdn.ts';
import type { ConvDictionary } from '../../main/acsr/signal/conv-dictionary.ts';
import { fastEngineFactory } from '../../main/acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { releaseIdleCbpdnArenas } from '../../main/acsr/signal/simd/cbpdn-arena.ts';
import { loadSporcoReference } from '../support/shared-data.ts';
import { optionsFromSporco, referenceDictionary32, referenceTilePlanes } from '../support/sporco-conformance.ts';

// The tiles of a photo are coded one after another on one engine with one dictionary. The engine
// keeps that dictionary's spectrum and Gram matrices from the tile before: the next tile must come
// out bit for bit as on a fresh engine, the dictionary must not be transformed again, and a
// dictionary whose values changed (even in the same array) must be loaded anew. An engine's
// memory (its arena) goes to the next engine of the same shape: zeroed, it must not show.

const ref = loadSporcoReference('cbpdn_rgb_mcdict_defaults');
const [height, width, channels] = ref.arrays.s.shape;

const tile = (mirrored: boolean) => referenceTilePlanes(ref, mirrored);
const referenceDictionary = () => referenceDictionary32(ref);

async function code(planes: Float32Array, dictionary: ConvDictionary<Float32Array>, engine: CbpdnEngineFactory<Float32Array>, linearSolver: LinearSolver) {
  const solver = await ConvBpdn.create({
    dictionary,
    signal: { height, width, channels, images: 1, planes },
    lambda: ref.params.lmbda,
    options: { ...optionsFromSporco(ref.params), maxIterations: 12, linearSolver },
    engine,
  });
  try {
    const run = await solver.solve();
    return { y: Float32Array.from(solver.variable('Y')), objectives: run.stats.map((s) => s.objective) };
  } finally {
    await solver.dispose();
  }
}

/** Planes each solver's set-up sends through the engine's forward FFT (the signal, and the dictionary when loaded). */
function countingFactory(inner: CbpdnEngineFactory<Float32Array>, planesTransformed: number[]): CbpdnEngineFactory<Float32Array> {
  return async (layout, withL1Weight) => {
    const engine: CbpdnEngine<Float32Array> = await inner(layout, withL1Weight);
    const forward = engine.forwardTransform.bind(engine);
    engine.forwardTransform = (real, re, im, planes) => {
      planesTransformed.push(planes);
      return forward(real, re, im, planes);
    };
    return engine;
  };
}

/**
 * A pool over engines whose forward FFTs are counted (`transformed`), given to `body` and
 * disposed of afterwards, whatever the body does.
 */
async function withCountingPool(
  threads: number,
  options: { keptSpectraBytes?: number },
  body: (pool: TileEnginePool, transformed: number[]) => Promise<void>,
): Promise<void> {
  const transformed: number[] = [];
  const pool = new TileEnginePool(countingFactory(fastEngineFactory(threads), transformed), options);
  try {
    await body(pool, transformed);
  } finally {
    await pool.dispose();
  }
}

/** A dictionary's load as the engine's FFT sees it: its atoms' planes, one at a time. */
const dictionaryLoad = (dictionary: ConvDictionary<Float32Array>) => new Array<number>(dictionary.channels * dictionary.atoms).fill(1);

/** Halves the first atom's values in place: a dictionary that codes differently. */
function halveFirstAtom(dictionary: ConvDictionary<Float32Array>): ConvDictionary<Float32Array> {
  for (let i = 0; i < dictionary.atomHeight * dictionary.atomWidth; i++) dictionary.data[i] *= 0.5;
  return dictionary;
}

/** Another cluster's dictionary, for the test: the reference one with its first atom halved. */
const otherDictionary = () => halveFirstAtom(referenceDictionary());

for (const threads of [1, 2]) {
  describe(`CBPDN on a pooled engine moving between dictionaries (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    it('restores the spectra of a dictionary it held before instead of loading it, and codes exactly as a fresh engine', async () => {
      await withCountingPool(threads, {}, async (pool, transformed) => {
        await code(tile(false), referenceDictionary(), pool.factory, 'woodbury');
        assert.equal(pool.keptSpectra.bytes, 0, 'one dictionary so far: nothing kept beside it');
        await code(tile(false), otherDictionary(), pool.factory, 'woodbury');
        assert.ok(pool.keptSpectra.bytes > 0, 'the first dictionary was kept when the second replaced it');
        transformed.length = 0;
        const back = await code(tile(true), referenceDictionary(), pool.factory, 'woodbury');
        assert.deepEqual(transformed, [channels], 'back to the first dictionary: only the signal is transformed');
        const again = await code(tile(true), otherDictionary(), pool.factory, 'woodbury');
        assert.deepEqual(transformed, [channels, channels], 'and to the second: restored too');
        const freshBack = await code(tile(true), referenceDictionary(), fastEngineFactory(threads), 'woodbury');
        const freshAgain = await code(tile(true), otherDictionary(), fastEngineFactory(threads), 'woodbury');
        assert.deepEqual(back.y, freshBack.y);
        assert.deepEqual(back.objectives, freshBack.objectives);
        assert.deepEqual(again.y, freshAgain.y);
        assert.notDeepEqual(again.y, back.y, 'the two dictionaries code differently, so equality above is not trivial');
      });
    });

    it('loads the dictionary again when the pool may keep nothing', async () => {
      await withCountingPool(threads, { keptSpectraBytes: 0 }, async (pool, transformed) => {
        await code(tile(false), referenceDictionary(), pool.factory, 'woodbury');
        await code(tile(false), otherDictionary(), pool.factory, 'woodbury');
        assert.equal(pool.keptSpectra.bytes, 0);
        transformed.length = 0;
        const back = await code(tile(true), referenceDictionary(), pool.factory, 'woodbury');
        assert.deepEqual(transformed, [channels, ...dictionaryLoad(referenceDictionary())]);
        assert.deepEqual(back.y, (await code(tile(true), referenceDictionary(), fastEngineFactory(threads), 'woodbury')).y);
      });
    });
  });
}

for (const [linearSolver, threads] of [
  ['woodbury', 2],
  ['woodbury', 1],
  ['sherman-morrison', 2],
] as const) {
  describe(`CBPDN on a reused engine with the same dictionary (${linearSolver}, ${threads} thread${threads > 1 ? 's' : ''})`, () => {
    it('codes the next tile exactly as a fresh engine does, without transforming the dictionary again', async () => {
      const dictionary = referenceDictionary();
      await withCountingPool(threads, {}, async (pool, transformed) => {
        const first = await code(tile(false), dictionary, pool.factory, linearSolver);
        assert.deepEqual(transformed, [channels, ...dictionaryLoad(dictionary)], 'the first tile loads the signal and the dictionary');
        transformed.length = 0;
        const second = await code(tile(true), dictionary, pool.factory, linearSolver);
        assert.deepEqual(transformed, [channels], 'the second tile loads its signal only');
        const freshFirst = await code(tile(false), referenceDictionary(), fastEngineFactory(threads), linearSolver);
        const freshSecond = await code(tile(true), referenceDictionary(), fastEngineFactory(threads), linearSolver);
        assert.deepEqual(first.y, freshFirst.y);
        assert.deepEqual(second.y, freshSecond.y);
        assert.deepEqual(second.objectives, freshSecond.objectives);
        assert.notDeepEqual(second.y, first.y, 'the two tiles differ, so equality above is not trivial');
      });
    });

    it('loads a dictionary again when its values changed in the same array', async () => {
      const dictionary = referenceDictionary();
      await withCountingPool(threads, {}, async (pool, transformed) => {
        await code(tile(false), dictionary, pool.factory, linearSolver);
        halveFirstAtom(dictionary);
        transformed.length = 0;
        const changed = await code(tile(true), dictionary, pool.factory, linearSolver);
        assert.deepEqual(transformed, [channels, ...dictionaryLoad(dictionary)]);
        const fresh = await code(tile(true), { ...dictionary, data: Float32Array.from(dictionary.data) }, fastEngineFactory(threads), linearSolver);
        assert.deepEqual(changed.y, fresh.y);
      });
    });
  });
}

for (const threads of [1, 2]) {
  describe(`an engine on a recycled arena (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    it('codes exactly as on new memory, although the arena held another tile before', async () => {
      releaseIdleCbpdnArenas();
      const memories: ArrayBufferLike[] = [];
      const watched: CbpdnEngineFactory<Float32Array> = async (layout, withL1Weight) => {
        const engine = await fastEngineFactory(threads)(layout, withL1Weight);
        memories.push(engine.buffers.x.buffer);
        return engine;
      };
      const fresh = await code(tile(true), referenceDictionary(), watched, 'woodbury');
      await code(tile(false), referenceDictionary(), watched, 'woodbury');
      const recycled = await code(tile(true), referenceDictionary(), watched, 'woodbury');
      assert.equal(memories.length, 3);
      assert.equal(memories[1], memories[0], 'the second engine got the first one arena');
      assert.equal(memories[2], memories[0], 'the third engine got it again, holding the second tile');
      assert.deepEqual(recycled.y, fresh.y);
      assert.deepEqual(recycled.objectives, fresh.objectives);
    });
  });
}
