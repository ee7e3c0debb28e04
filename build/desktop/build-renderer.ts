/**
 * Builds the renderer (renderer/main.tsx and index.html) into one folder with esbuild's JS API:
 * one script (app.js) and the page, nothing fetched at run time. `acsr serve` and the tests call
 * this; Electron loads the same folder.
 */
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_RENDERER_OUT = join(REPOSITORY_ROOT, 'dist', 'renderer');

export interface RendererBuild {
  outDir: string;
  milliseconds: number;
  bytes: number;
}

export async function buildRenderer(options: { outDir?: string; minify?: boolean } = {}): Promise<RendererBuild> {
  const outDir = resolve(options.outDir ?? DEFAULT_RENDERER_OUT);
  const started = performance.now();
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(REPOSITORY_ROOT, 'renderer', 'main.tsx')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'silent',
  });
  await copyFile(join(REPOSITORY_ROOT, 'renderer', 'index.html'), join(outDir, 'index.html'));
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { outDir, milliseconds: performance.now() - started, bytes };
}
