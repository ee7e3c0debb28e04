// TensorFlow.js ships as CommonJS bundles of 0.4-1.4 MB each. An ESM `import` of a CommonJS
// module makes Node lex the whole source for its export names (cjs-module-lexer), about 130 ms
// for @tensorflow/tfjs and its wasm backend at every start, on top of loading them; `require`
// skips that. These hooks answer an ESM import of those packages with a small module that
// requires the package and exports its names, so the sources keep plain `import * as tf`.
import module from 'node:module';

const PACKAGES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']);
const SCHEME = 'acsr-required:';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(['default', 'await', 'enum', 'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield']);

export function requireLargeCommonJsPackages() {
  if (typeof module.registerHooks !== 'function') return;
  const load = module.createRequire(import.meta.url);
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      // only imports: require() of these packages goes on as usual
      if (PACKAGES.has(specifier) && !context.conditions?.includes('require')) return { url: SCHEME + specifier, format: 'module', shortCircuit: true };
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (!url.startsWith(SCHEME)) return nextLoad(url, context);
      const name = url.slice(SCHEME.length);
      const names = Object.keys(load(name)).filter((key) => IDENTIFIER.test(key) && !RESERVED.has(key));
      const source = [
        `import { createRequire } from 'node:module';`,
        `const required = createRequire(${JSON.stringify(import.meta.url)})(${JSON.stringify(name)});`,
        `export default required;`,
        ...names.map((key) => `export const ${key} = required[${JSON.stringify(key)}];`),
      ].join('\n');
      return { format: 'module', source, shortCircuit: true };
    },
  });
}
