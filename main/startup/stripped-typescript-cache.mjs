// Node strips the types from every TypeScript module at every start, through a WebAssembly build
// of swc that it first has to load: about 150 ms of a one-image `acsr purify` on 2 cores, for
// text that only changes when a source does. This hook keeps each stripped module on disk under
// the hash of its source (and of the Node version, whose stripper wrote it), so a start whose
// sources did not change reads plain JavaScript and never loads the stripper. The stripping is
// Node's own (module.stripTypeScriptTypes, mode 'strip': types become blanks, so every line and
// column stays where it was and stack traces need no source map). Any failure to read or write
// the cache falls back to Node's own path: the cache can only make a start faster.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';

const CACHE_DIR = new URL('../../node_modules/.cache/acsr-stripped-typescript/', import.meta.url);

/** Registers the hook in this thread; true when it is active (Node 22.15+ with type stripping). */
export function cacheStrippedTypeScript(dir = CACHE_DIR.pathname) {
  if (typeof module.registerHooks !== 'function' || typeof module.stripTypeScriptTypes !== 'function') return false;
  const features = /** @type {{ typescript?: string | false }} */ (process.features);
  if (typeof features.typescript !== 'string') return false;
  module.registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (loaded.format !== 'module-typescript' || loaded.source === undefined || loaded.source === null) return loaded;
      const source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(/** @type {Uint8Array} */ (loaded.source)).toString('utf8');
      const file = join(dir, `${createHash('sha256').update(process.version).update('\0').update(source).digest('hex')}.js`);
      try {
        return { format: 'module', source: readFileSync(file, 'utf8'), shortCircuit: true };
      } catch {
        // not cached yet: stripped here, as Node would, and kept for the next start
      }
      let stripped;
      // The API warns once that it is experimental; the same stripping on Node's own import path
      // does not, and a user should not see a warning about how the tool starts.
      const emitWarning = process.emitWarning;
      process.emitWarning = () => {};
      try {
        stripped = module.stripTypeScriptTypes(source, { mode: 'strip' });
      } catch {
        return loaded; // Node's own path reports the syntax error as it always does
      } finally {
        process.emitWarning = emitWarning;
      }
      try {
        mkdirSync(dir, { recursive: true });
        // written whole under a temporary name, then renamed: a reader never sees half a module
        const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        writeFileSync(temporary, stripped);
        renameSync(temporary, file);
      } catch {
        // a read-only installation: the module still loads, only not from the cache next time
      }
      return { format: 'module', source: stripped, shortCircuit: true };
    },
  });
  return true;
}
