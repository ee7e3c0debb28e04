// The layers of the workstation, as an ESLint rule that reads each import by the file it resolves to.
// A relative import is resolved against the importing file, so `../../case/x.ts` and
// `../../../main/case/x.ts` are the same import; a bare name is checked as an npm package
// (`node:` built-ins count as the package `node:`).
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The contract that main, preload and renderer share; the only thing outside their own folder the UI sides may import. */
export const contractPaths = ['main/ipc/contract/'];

/** Packages that only run in Node or Electron's main process; the renderer never imports them. */
const nodeOnlyPackages = ['node:', 'electron', 'better-sqlite3', 'sharp', 'ws', 'pdfkit', 'tsx', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/**
 * Each layer: which files it covers (`under`, repository path prefixes, less `except`), which repository paths
 * and packages it may not import (`forbiddenPaths`, `forbiddenPackages`), or the only repository
 * paths it may import (`allowedPaths`).
 */
export const layers = [
  {
    name: 'science',
    under: ['main/acsr/'],
    why: 'the science imports no shell, database, job runner, CLI or UI',
    forbiddenPaths: ['main/case/', 'main/host/', 'main/jobs/', 'main/workstation/', 'main/electron/', 'main/cli/', 'renderer/', 'preload/'],
    forbiddenPackages: ['electron', 'better-sqlite3', 'react', 'react-dom', '@mui/material', '@emotion/react', '@emotion/styled', '@emotion/cache'],
  },
  {
    name: 'contract',
    under: contractPaths,
    why: 'the IPC contract is bundled into the renderer and the preload script: it imports no Node-only package and no shell, job or UI code',
    forbiddenPaths: ['main/host/', 'main/jobs/', 'main/workstation/', 'main/electron/', 'main/cli/', 'renderer/', 'preload/'],
    forbiddenPackages: nodeOnlyPackages,
  },
  {
    name: 'renderer',
    under: ['renderer/'],
    why: 'the renderer imports only the IPC contract, its own code and its UI packages',
    allowedPaths: ['renderer/', ...contractPaths],
    forbiddenPackages: nodeOnlyPackages,
  },
  {
    name: 'preload',
    under: ['preload/'],
    why: 'the preload bridge imports only the IPC contract and Electron',
    allowedPaths: ['preload/', ...contractPaths],
    forbiddenPackages: nodeOnlyPackages.filter((name) => name !== 'electron'),
  },
  {
    name: 'not-cli',
    under: [''],
    except: ['main/cli/', 'bin/', 'test/'],
    why: 'nothing but the acsr command itself, bin/ and tests imports the CLI',
    forbiddenPaths: ['main/cli/'],
  },
];

function isBuiltin(specifier) {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
}

/** `@scope/name/deep` -> `@scope/name`; `name/deep` -> `name`; built-ins -> `node:`. */
function packageName(specifier) {
  if (isBuiltin(specifier)) return 'node:';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function matchesPath(repositoryPath, prefixes) {
  return prefixes.some((prefix) => (prefix === '' || prefix.endsWith('/') ? repositoryPath.startsWith(prefix) : repositoryPath === prefix));
}

/** What an import refers to: a repository path (`main/case/x.ts`), a path outside the repository, or a package. */
function describeImport(filename, specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const absolute = path.resolve(path.dirname(filename), specifier);
    const relative = path.relative(repositoryRoot, absolute).split(path.sep).join('/');
    return { kind: 'path', path: relative };
  }
  return { kind: 'package', name: packageName(specifier) };
}

function violation(layer, filename, specifier) {
  const target = describeImport(filename, specifier);
  if (target.kind === 'package') {
    const forbidden = layer.forbiddenPackages ?? [];
    return forbidden.includes(target.name) ? `'${specifier}': ${layer.why}` : null;
  }
  if (layer.allowedPaths && !matchesPath(target.path, layer.allowedPaths)) return `'${specifier}' (${target.path}): ${layer.why}`;
  if (layer.forbiddenPaths && matchesPath(target.path, layer.forbiddenPaths)) return `'${specifier}' (${target.path}): ${layer.why}`;
  return null;
}

function repositoryPathOf(filename) {
  return path.relative(repositoryRoot, filename).split(path.sep).join('/');
}

/** The layers a file belongs to (a file in main/acsr/ is both "science" and "not-cli"). */
export function layersOf(filename) {
  const file = repositoryPathOf(filename);
  return layers.filter((layer) => matchesPath(file, layer.under) && !matchesPath(file, layer.except ?? []));
}

const importBoundariesRule = {
  meta: {
    type: 'problem',
    docs: { description: 'keeps each layer to the imports it may make' },
    schema: [],
    messages: { crossesLayer: 'Import {{detail}}.' },
  },
  create(context) {
    const filename = context.filename;
    const fileLayers = layersOf(filename);
    if (fileLayers.length === 0) return {};
    function check(source) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      for (const layer of fileLayers) {
        const detail = violation(layer, filename, source.value);
        if (detail) context.report({ node: source, messageId: 'crossesLayer', data: { detail } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // `typeof import('../x.ts')` in a type position.
      TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.source),
    };
  },
};

export const layersPlugin = { meta: { name: 'acsr-layers' }, rules: { 'import-boundaries': importBoundariesRule } };

/** The flat-config block that turns the rule on for every linted file. */
export const layerBoundaryConfig = {
  files: ['**/*.{ts,tsx,js,mjs}'],
  plugins: { layers: layersPlugin },
  rules: { 'layers/import-boundaries': 'error' },
};
