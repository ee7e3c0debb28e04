import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread on a module of this code base. Sources are TypeScript run through tsx:
 * a worker does not inherit loader hooks registered in its parent at run time, so the tsx
 * loader is passed on explicitly (by absolute URL, so it resolves whatever the current folder).
 * A compiled build (.js) needs nothing extra.
 */
export function spawnWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  if (moduleUrl.pathname.endsWith('.ts') && !hasTsxLoader(execArgv)) {
    execArgv.push('--import', import.meta.resolve('tsx'));
  }
  return new Worker(moduleUrl, { ...options, execArgv });
}

function hasTsxLoader(execArgv: string[]): boolean {
  return (
    execArgv.some((arg, i) => (arg === '--import' || arg === '--loader') && /tsx/.test(execArgv[i + 1] ?? '')) ||
    execArgv.some((arg) => /^--(import|loader)=.*tsx/.test(arg))
  );
}
