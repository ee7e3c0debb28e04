// What every thread of the `acsr` command sets up before loading the sources, the main thread
// (bin/acsr.mjs) and each worker thread (spawnWorker passes this module on with --import, since a
// worker does not inherit hooks registered at run time): V8's compiled code kept between starts,
// TensorFlow.js loaded by require, and TypeScript stripped once per source text. Each only makes
// a start faster; none changes what the code does.
import module from 'node:module';
import { requireLargeCommonJsPackages } from './require-large-commonjs.mjs';
import { cacheStrippedTypeScript } from './stripped-typescript-cache.mjs';

// next to the sources, so that one installation shares it and removing node_modules clears it
module.enableCompileCache?.(new URL('../../node_modules/.cache/acsr-compiled/', import.meta.url).pathname);
requireLargeCommonJsPackages();
if (cacheStrippedTypeScript()) {
  // read by spawnWorker: a worker of this thread starts the same way
  globalThis[Symbol.for('acsr.threadStartup')] = import.meta.url;
}
