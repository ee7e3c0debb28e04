// The dispatcher in-process, against a registry shaped like the planned one (a nested
// `bench csc`, a command that reads files), so that the framework's contract is tested without
// depending on the signal engineers' commands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineCommand, defineCommandGroup, type CommandEntry } from '../../main/cli/command.ts';
import { UserInputError } from '../../main/cli/errors.ts';
import { loadAllCommands, loadCommand } from '../../main/cli/commands/index.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import { readNpy } from '../../main/io/npy.ts';
import { throwIfCancelled } from '../../main/progress/progress.ts';

const benchCsc = defineCommand({
  name: 'csc',
  summary: 'benchmark convolutional sparse coding',
  options: {
    size: { type: 'integer', default: 256, min: 8, description: 'image size' },
    channels: { type: 'integer', choices: [1, 3], default: 3, description: 'image channels' },
    dictChannels: { type: 'integer', choices: [1, 3], default: 3, description: 'dictionary channels' },
    atoms: { type: 'integer', default: 64, min: 1, description: 'atoms' },
    iters: { type: 'integer', default: 20, min: 1, description: 'iterations' },
  },
  async run({ options, progress, print }) {
    for (let i = 1; i <= options.iters; i++) progress.report({ stage: 'bench', fraction: i / options.iters });
    print(`size ${options.size}, dict channels ${options.dictChannels}`);
    return { size: options.size, channels: options.channels, dictChannels: options.dictChannels, secondsPerIteration: 0.5 };
  },
});

const csc = defineCommand({
  name: 'csc',
  summary: 'sparse-code a signal',
  options: {
    dict: { type: 'string', required: true, valueName: 'D.npy', description: 'dictionary' },
    lambda: { type: 'number', required: true, min: 0, description: 'sparsity weight' },
  },
  async run({ options, note }) {
    const dictionary = await readNpy(options.dict);
    note('dictionary loaded');
    return { atoms: dictionary.shape.at(-1) };
  },
});

const failing = defineCommand({
  name: 'fail',
  summary: 'fails in the ways a command can',
  options: { how: { type: 'string', choices: ['input', 'bug', 'cancel'], required: true, description: 'failure' } },
  async run({ options, signal }) {
    if (options.how === 'input') throw new UserInputError('photo.png: image file is truncated or damaged');
    if (options.how === 'cancel') {
      (signal as AbortSignal & { abortForTest?: () => void }).abortForTest?.();
      throwIfCancelled(signal);
    }
    throw new TypeError("Cannot read properties of undefined (reading 'shape')\n    at somewhere");
  },
});

const registry: readonly CommandEntry[] = [csc, failing, defineCommandGroup({ name: 'bench', summary: 'performance measurements', subcommands: [benchCsc] })];

async function run(argv: string[], options: { env?: Record<string, string>; signal?: AbortSignal; tty?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    commands: registry,
    env: options.env ?? {},
    signal: options.signal,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: options.tty ?? false, columns: 80 },
  });
  return { code, stdout, stderr, lastLine: stdout.trimEnd().split('\n').at(-1) ?? '' };
}

describe('runCli dispatch', () => {
  it('runs a nested subcommand and prints the JSON summary as the last stdout line', async () => {
    const result = await run(['bench', 'csc', '--size', '64', '--dict-channels', '1', '--json', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^size 64, dict channels 1\n/);
    assert.deepEqual(JSON.parse(result.lastLine), {
      ok: true,
      command: 'bench csc',
      size: 64,
      channels: 3,
      dictChannels: 1,
      secondsPerIteration: 0.5,
    });
  });

  it('lists commands, nested ones with their full path, in top-level help', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^ {2}bench csc {2,}benchmark convolutional sparse coding$/m);
    assert.match(result.stdout, /^ {2}csc {2,}sparse-code a signal$/m);
  });

  it('shows per-command and group help, even when other arguments are wrong', async () => {
    const commandHelp = await run(['csc', '--lambda', 'oops', '--help']);
    assert.equal(commandHelp.code, 0);
    assert.match(commandHelp.stdout, /Usage: acsr csc \[options\]/);
    assert.match(commandHelp.stdout, /--dict D\.npy +dictionary \(required\)/);
    assert.match(commandHelp.stdout, /--lambda X +sparsity weight \(required; >= 0\)/);
    const groupHelp = await run(['bench', '-h']);
    assert.match(groupHelp.stdout, /Subcommands:\n {2}bench csc/);
    assert.match((await run(['help', 'bench', 'csc'])).stdout, /--dict-channels N +dictionary channels \(one of 1, 3; default: 3\)/);
  });
});

describe('runCli failures', () => {
  it('exits 2 with one specific error line for usage errors', async () => {
    const cases: [string[], string][] = [
      [['csc', '--dict', 'D.npy', '--lambda', '-1'], 'acsr csc: error: --lambda must be >= 0; got -1\n'],
      [['csc', '--dict', 'D.npy'], 'acsr csc: error: --lambda is required\n'],
      [['bench', 'csc', '--channels', '2'], 'acsr bench csc: error: --channels must be one of 1, 3; got 2\n'],
      [['bench'], "acsr bench: error: missing subcommand (one of: csc; see 'acsr bench --help')\n"],
      [['bench', 'gpu'], "acsr: error: unknown subcommand of 'acsr bench' 'gpu' (available: csc)\n"],
      [['cs'], "acsr: error: unknown command 'cs'; did you mean 'csc'? (available: csc, fail, bench)\n"],
      [['--lambda', '1'], "acsr: error: expected a command before '--lambda' (see 'acsr --help')\n"],
    ];
    for (const [argv, line] of cases) {
      const result = await run(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.stderr, line);
      assert.equal(result.stdout, '');
    }
  });

  it('exits 2 for input errors, including ones raised by io', async () => {
    const result = await run(['csc', '--dict', '/nonexistent/D.npy', '--lambda', '0.1']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'acsr csc: error: /nonexistent/D.npy: file not found\n');
    const thrown = await run(['fail', '--how', 'input']);
    assert.equal(thrown.stderr, 'acsr fail: error: photo.png: image file is truncated or damaged\n');
  });

  it('exits 1 for internal errors, with the stack only under ACSR_DEBUG=1', async () => {
    const plain = await run(['fail', '--how', 'bug']);
    assert.equal(plain.code, 1);
    assert.equal(
      plain.stderr,
      "acsr fail: error: internal error: Cannot read properties of undefined (reading 'shape'); at somewhere (run with ACSR_DEBUG=1 for the stack trace)\n",
    );
    const debug = await run(['fail', '--how', 'bug'], { env: { ACSR_DEBUG: '1' } });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^acsr fail: error: internal error: .*\nTypeError: Cannot read properties/);
  });

  it('prints a JSON failure line under --json', async () => {
    const result = await run(['fail', '--how', 'input', '--json']);
    assert.deepEqual(JSON.parse(result.lastLine), {
      ok: false,
      command: 'fail',
      error: { type: 'input', message: 'photo.png: image file is truncated or damaged' },
      exitCode: 2,
    });
    const usage = await run(['csc', '--json']);
    assert.equal(JSON.parse(usage.lastLine).error.type, 'usage');
  });

  it('exits 130 when cancelled', async () => {
    const controller = new AbortController();
    const signal = Object.assign(controller.signal, { abortForTest: () => controller.abort() });
    const result = await run(['fail', '--how', 'cancel'], { signal });
    assert.equal(result.code, 130);
    assert.equal(result.stderr, 'acsr fail: error: cancelled\n');
  });
});

describe('runCli progress', () => {
  it('streams progress as JSON lines on stderr with --progress json', async () => {
    const result = await run(['bench', 'csc', '--iters', '3', '--progress', 'json']);
    const events = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(events.at(-1).fraction, 1);
    assert.equal(events.at(-1).stage, 'bench');
  });

  it('draws a bar on a TTY and clears it before normal output', async () => {
    const result = await run(['bench', 'csc', '--iters', '3'], { tty: true });
    assert.match(result.stderr, /\r\x1b\[2Kbench {2}\[#+\] {2}100%/);
    // The command printed a line after the last redraw, so the bar was wiped first.
    assert.ok(result.stderr.endsWith('\r\x1b[2K'));
  });

  it('prints nothing on stderr with --quiet', async () => {
    assert.equal((await run(['bench', 'csc', '--iters', '3', '--quiet'])).stderr, '');
  });
});

describe('the registered commands, loaded as needed', () => {
  it('loads each command by its name alone, the same entry the full list holds', async () => {
    const all = await loadAllCommands();
    assert.ok(all.length >= 15, `${all.length} commands`);
    for (const entry of all) assert.equal(await loadCommand(entry.name), entry, entry.name);
    assert.equal(await loadCommand('purify-everything'), undefined);
  });
});
