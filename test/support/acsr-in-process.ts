/**
 * `acsr` run inside the test's own process through the CLI's dispatcher (same exit codes, output
 * and --json summary as the binary, without a child process's start-up), for tests that run many
 * short commands. test/actions/action-fixtures.ts has its own variant that always adds --json.
 */
import assert from 'node:assert/strict';
import { runCli } from '../../main/cli/run-cli.ts';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  lastLine: string;
}

/** `acsr ...` run in this process: the same dispatcher, exit codes and output as the binary. */
export async function runAcsrInProcess(args: readonly string[]): Promise<InProcessRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    stdout: { write: (chunk: string) => out.push(chunk) },
    stderr: { write: (chunk: string) => err.push(chunk), isTTY: false },
  });
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), lastLine: stdout.trimEnd().split('\n').at(-1) ?? '' };
}

/** The --json summary of a run that must have succeeded. */
export function jsonSummary(result: InProcessRun): any {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.lastLine);
}
