import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoRoot } from '../support/shared-data.ts';

// bin/acsr.mjs answers ESM imports of TensorFlow.js with a module that requires it: the same
// objects as require gives, every export name there, and a working backend and op.
test('an import of TensorFlow.js through the start-up hooks gives the required package, name for name', () => {
  const hooks = pathToFileURL(join(repoRoot, 'main/startup/require-large-commonjs.mjs')).href;
  const script = `
    import { createRequire } from 'node:module';
    import { requireLargeCommonJsPackages } from ${JSON.stringify(hooks)};
    requireLargeCommonJsPackages();
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const load = createRequire(${JSON.stringify(pathToFileURL(join(repoRoot, 'package.json')).href)});
    const required = load('@tensorflow/tfjs');
    const names = Object.keys(required).filter((key) => /^[A-Za-z_$][\\w$]*$/.test(key) && key !== 'default');
    const differing = names.filter((key) => tf[key] !== required[key]);
    await tf.setBackend('cpu');
    const sum = tf.add(tf.tensor1d([1, 2]), tf.scalar(3)).arraySync();
    console.log(JSON.stringify({
      names: names.length,
      differing,
      sameDefault: tf.default === required,
      wasmSame: wasm.setWasmPaths === load('@tensorflow/tfjs-backend-wasm').setWasmPaths,
      sum,
      imported: import.meta.resolve('@tensorflow/tfjs'),
      requiredFrom: load.resolve('@tensorflow/tfjs'),
    }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  assert.ok(result.names > 500, `${result.names} names`);
  assert.deepEqual(result.differing, []);
  assert.equal(result.sameDefault, true);
  assert.equal(result.wasmSame, true);
  assert.deepEqual(result.sum, [4, 5]);
  // the import went through the hooks; require() did not
  assert.equal(result.imported, 'acsr-required:@tensorflow/tfjs');
  assert.match(result.requiredFrom, /node_modules\/@tensorflow\/tfjs\/dist\/tf\.node\.js$/);
});
