/**
 * The real `acsr serve`, run as a child process on a fresh workspace, and a well-behaved client
 * for it (the ws library, as the page's would be: right Origin, token first). The fuzz test and
 * the soak script both drive the host through these, so a crash shows as the child exiting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { CallResult, JobSnapshot, SocketServerMessage } from '../../../main/ipc/contract/index.ts';
import { repoRoot } from '../../support/shared-data.ts';

export interface ServeProcess {
  origin: string;
  port: number;
  token: string;
  workspace: string;
  child: ChildProcess;
  /** Everything the host wrote on stderr (an unhandled error's stack would land here). */
  stderr(): string;
  /** The host's resident memory now, in MiB (Linux /proc), or null where unavailable. */
  rssMiB(): number | null;
  stop(): Promise<number | null>;
}

export async function startServeProcess(): Promise<ServeProcess> {
  const root = await mkdtemp(join(tmpdir(), 'acsr-host-fuzz-'));
  const workspace = join(root, 'workspace');
  // The fuzzing needs no user interface: a one-page renderer folder instead of an esbuild run.
  const renderer = join(root, 'renderer');
  await mkdir(renderer);
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>host under test</title>');
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'main/cli/acsr.ts'), 'serve', '--workspace', workspace, '--renderer', renderer], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const deadline = Date.now() + 60_000;
  while (!/workstation at (\S+)/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
  const url = /workstation at (\S+)/.exec(stdout)?.[1];
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`acsr serve printed no address: ${stdout} ${stderr}`);
  }
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '';
  return {
    origin: parsed.origin,
    port: Number(parsed.port),
    token,
    workspace,
    child,
    stderr: () => stderr,
    rssMiB() {
      try {
        const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kib === undefined ? null : Math.round(Number(kib) / 1024);
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGINT');
        const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(forced);
      }
      await rm(root, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

export interface ValidClient {
  call(channel: string, input: unknown): Promise<CallResult>;
  /** Job snapshots as the host pushed them. */
  jobEvents: JobSnapshot[];
  close(): void;
}

/** A client that does everything right: the page's Origin, the token first, then calls. */
export async function connectValidClient(host: Pick<ServeProcess, 'origin' | 'token'>): Promise<ValidClient> {
  const socket = new WebSocket(`${host.origin.replace('http', 'ws')}/ipc`, { origin: host.origin });
  const pending = new Map<number, (result: CallResult) => void>();
  const jobEvents: JobSnapshot[] = [];
  let welcomed!: () => void;
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as SocketServerMessage;
    if (message.type === 'welcome') welcomed();
    if (message.type === 'result') {
      pending.get(message.callId)?.(message.result);
      pending.delete(message.callId);
    }
    if (message.type === 'event' && message.channel === 'jobs.changed') jobEvents.push(message.payload as JobSnapshot);
  });
  const lost = new Promise<never>((_resolve, reject) => {
    socket.once('close', (code) => reject(new Error(`the valid client's connection closed (code ${code})`)));
    socket.once('error', (error) => reject(error));
  });
  lost.catch(() => {});
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'hello', token: host.token }));
  await Promise.race([welcome, lost]);
  let nextId = 1;
  return {
    jobEvents,
    call: (channel, input) =>
      Promise.race([
        new Promise<CallResult>((resolve) => {
          const callId = nextId++;
          pending.set(callId, resolve);
          socket.send(JSON.stringify({ type: 'call', callId, channel, input }));
        }),
        lost,
      ]),
    close: () => socket.close(),
  };
}

/** Polls until the job is finished (completed, failed or cancelled), or the deadline passes. */
export async function waitForJob(client: ValidClient, jobId: number, timeoutMs: number): Promise<JobSnapshot | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await client.call('jobs.list', {});
    const job = listed.ok ? (listed.value as JobSnapshot[]).find((candidate) => candidate.jobId === jobId) : undefined;
    if (!job || ['completed', 'failed', 'cancelled'].includes(job.state) || Date.now() > deadline) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
