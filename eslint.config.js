// ESLint flat config: typescript-eslint's recommended rules (syntactic, no type information, so a lint
// of the whole tree stays well under a minute on two cores) plus the import boundaries between layers.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { layerBoundaryConfig } from './build/lint/layer-boundaries.js';

export default defineConfig(
  {
    ignores: ['node_modules/**', 'dist/**', 'out/**', '.cache/**', 'test-artifacts/**', 'bench-results/**', 'models/**', 'docs/**', 'resources/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mjs,js}'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        // Node, the browser and Web Workers share most of these; type-checking already catches
        // a name that does not exist, so no-undef is off for TypeScript below.
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      // Deliberate in this codebase: `_`-prefixed parameters that an interface requires but a function ignores.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Note text, terminal output and file names are checked for control characters on purpose.
      'no-control-regex': 'off',
      // A callback declared before the promise it resolves, assigned once right after.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Keras topologies and the packaged nsfwjs models are untyped JSON walked field by field;
    // test fakes stand in for Electron's objects.
    files: ['main/acsr/models/**', 'test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // A line-by-line port of PDQ's C reference, whose initialisations it keeps.
    files: ['main/pdq/torben-median.ts'],
    rules: { 'no-useless-assignment': 'off' },
  },
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      'no-undef': 'off',
    },
  },
  layerBoundaryConfig,
);
