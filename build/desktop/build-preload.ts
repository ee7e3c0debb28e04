/**
 * Bundles preload/preload.ts (and the contract it imports) into one CommonJS file: a sandboxed
 * preload can require only 'electron', not other files or ES modules.
 */
import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { REPOSITORY_ROOT } from './build-renderer.ts';

export const DEFAULT_PRELOAD_OUT = join(REPOSITORY_ROOT, 'dist', 'electron', 'preload.cjs');

export async function buildPreload(options: { outFile?: string } = {}): Promise<string> {
  const outfile = resolve(options.outFile ?? DEFAULT_PRELOAD_OUT);
  await build({
    entryPoints: [join(REPOSITORY_ROOT, 'preload', 'preload.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: ['node22'],
    external: ['electron'],
    // The contract's schemas (zod) come along with its channel names; minified, they parse quickly.
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return outfile;
}
