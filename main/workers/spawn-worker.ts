import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread on a module of this code base. Sources are TypeScript. Where Node strips
 * types itself (22.18 and later, `process.features.typescript`), a worker loads them as they are,
 * with no loader to start and no compile cache to read: that saves about a second per worker.
 * Elsewhere the tsx loader is passed on explicitly (a worker does not inherit loader hooks
 * registered in its parent at run time), by absolute URL so that it resolves whatever the
 * current folder. A parent started with tsx passes it on through its own execArgv either way.
 */
export function spawnWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  if (moduleUrl.pathname.endsWith('.ts') && !nodeStripsTypes() && !hasTsxLoader(execArgv)) {
    execArgv.push('--import', import.meta.resolve('tsx'));
  }
  // the start-up hooks of bin/acsr.mjs (main/startup/thread-startup.mjs), when this thread runs them
  const threadStartup = (globalThis as Record<symbol, unknown>)[Symbol.for('acsr.threadStartup')];
  if (typeof threadStartup === 'string' && !execArgv.includes(threadStartup)) execArgv.push('--import', threadStartup);
  return new Worker(moduleUrl, { ...options, execArgv });
}

/** What runs this process's TypeScript: Node itself, or the tsx loader (older Nodes, or started with it). */
export function typeScriptRunner(): 'node' | 'tsx' {
  return nodeStripsTypes() && !hasTsxLoader(process.execArgv) ? 'node' : 'tsx';
}

function nodeStripsTypes(): boolean {
  const features = process.features as { typescript?: string | false };
  return typeof features.typescript === 'string';
}

function hasTsxLoader(execArgv: string[]): boolean {
  return (
    execArgv.some((arg, i) => (arg === '--import' || arg === '--loader') && /tsx/.test(execArgv[i + 1] ?? '')) ||
    execArgv.some((arg) => /^--(import|loader)=.*tsx/.test(arg))
  );
}
