/**
 * Builds what the desktop app loads at run time: the renderer (dist/renderer/) and the bundled
 * preload (dist/electron/preload.cjs). Run: `node --import tsx build/desktop/build-desktop.ts`.
 */
import { fileURLToPath } from 'node:url';
import { buildRenderer } from './build-renderer.ts';
import { buildPreload } from './build-preload.ts';

export async function buildDesktop(): Promise<{ rendererDir: string; rendererBytes: number; rendererMs: number; preloadPath: string }> {
  const [renderer, preloadPath] = await Promise.all([buildRenderer(), buildPreload()]);
  return { rendererDir: renderer.outDir, rendererBytes: renderer.bytes, rendererMs: Math.round(renderer.milliseconds), preloadPath };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildDesktop();
  console.log(`renderer: ${built.rendererDir} (${(built.rendererBytes / 1024).toFixed(0)} KiB, ${built.rendererMs} ms)`);
  console.log(`preload:  ${built.preloadPath}`);
}
