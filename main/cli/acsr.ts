/**
 * Entry point of the `acsr` command (bin/acsr.mjs imports this; `npm run acsr -- ...` runs it).
 * Everything testable lives in run-cli.ts; this file only connects it to the real process.
 */
import { CancelledError } from '../progress/progress.ts';
import { ExitCode } from './errors.ts';
import { runCli } from './run-cli.ts';

const cancellation = new AbortController();

// First Ctrl-C asks the running command to stop at its next check, so it can avoid leaving
// partial outputs; a second one is for a command that does not respond.
function onInterrupt(): void {
  if (cancellation.signal.aborted) process.exit(ExitCode.cancelled);
  process.stderr.write('\nacsr: cancelling (press Ctrl-C again to stop immediately)\n');
  cancellation.abort(new CancelledError());
}
process.on('SIGINT', onInterrupt);
process.on('SIGTERM', onInterrupt);

// A closed pipe (`acsr info | head -1`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: cancellation.signal,
});
process.off('SIGINT', onInterrupt);
process.off('SIGTERM', onInterrupt);
