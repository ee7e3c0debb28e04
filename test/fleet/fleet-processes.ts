/** `acsr` child processes for the fleet tests: workers and workstation commands, their output kept. */
import type { ChildProcess } from 'node:child_process';
import { spawnAcsr } from '../case/case-fixtures.ts';

export interface AcsrProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves when stdout or stderr has shown a line matching the pattern. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const started = new Set<ChildProcess>();

/** Kills (SIGKILL) every process this module started that is still running, and waits for them: for a test's `after`. */
export async function killStartedProcesses(): Promise<void> {
  const running = [...started].filter((child) => child.exitCode === null && child.signalCode === null);
  const exits = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(exits);
}

export function startAcsr(args: readonly string[], options: { installed?: boolean } = {}): AcsrProcess {
  const child = spawnAcsr(args, options);
  started.add(child);
  child.once('exit', () => started.delete(child));
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (data: Buffer) => {
    out += data.toString();
    for (const watcher of watchers) watcher();
  });
  child.stderr!.on('data', (data: Buffer) => {
    err += data.toString();
    for (const watcher of watchers) watcher();
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 90_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = (out + err).match(pattern);
          if (!match) return false;
          watchers.delete(onData);
          clearTimeout(timer);
          resolve(match);
          return true;
        };
        const onData = () => void check();
        const timer = setTimeout(() => {
          watchers.delete(onData);
          reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        if (!check()) {
          watchers.add(onData);
          void exited.then(() =>
            setTimeout(() => {
              if (watchers.delete(onData)) {
                clearTimeout(timer);
                reject(new Error(`exited before output matching ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
              }
            }, 50),
          );
        }
      }),
  };
}

/** Runs a command to its end: exit code, output and the --json summary line. */
export async function runAcsrAsync(args: readonly string[]): Promise<{ code: number | string; stdout: string; stderr: string; lastLine: string }> {
  const process = startAcsr(args);
  const code = await process.exited;
  const stdout = process.stdout();
  return { code, stdout, stderr: process.stderr(), lastLine: stdout.trimEnd().split('\n').at(-1) ?? '' };
}
