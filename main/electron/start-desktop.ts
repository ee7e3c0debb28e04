/**
 * `npm start`: the desktop app in Electron where its binary is installed, otherwise the browser
 * host (`acsr serve --open`: a Chromium app window where a display exists, else the printed
 * address). Electron's binary is looked up without loading the `electron` package, whose entry
 * point tries to download the binary when it is missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPreload } from '../../build/desktop/build-preload.ts';
import { buildRenderer, REPOSITORY_ROOT } from '../../build/desktop/build-renderer.ts';

export function installedElectronBinary(packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))): string | null {
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export function defaultWorkspace(env: NodeJS.ProcessEnv = process.env): string {
  return env.ACSR_WORKSPACE ?? join(homedir(), 'ACSR cases');
}

async function main(): Promise<number> {
  const workspace = defaultWorkspace();
  const electron = installedElectronBinary();
  let command: string;
  let args: string[];
  if (electron) {
    await Promise.all([buildRenderer(), buildPreload()]);
    command = electron;
    args = [fileURLToPath(new URL('./bootstrap.mjs', import.meta.url))];
  } else {
    process.stderr.write('Electron is not installed here: starting the browser host instead.\n');
    command = process.execPath;
    args = ['--import', 'tsx', join(REPOSITORY_ROOT, 'main/cli/acsr.ts'), 'serve', '--workspace', workspace, '--open'];
  }
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ACSR_WORKSPACE: workspace } });
  // Ctrl-C reaches the child through the terminal's process group; this process only waits.
  process.on('SIGINT', () => {});
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  return code ?? (signal ? 128 + 2 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
