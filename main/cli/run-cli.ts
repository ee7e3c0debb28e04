/**
 * The `acsr` dispatcher: finds the subcommand, parses its options, runs it with progress and
 * cancellation, and owns the process-level contract every command shares:
 *   exit 0 on success, 2 for usage and input errors, 1 for internal errors, 130 when cancelled;
 *   exactly one stderr line `acsr <cmd>: error: <message>` on failure (plus the stack with
 *   ACSR_DEBUG=1); with --json, a JSON object as the last stdout line, on failure too.
 */
import { flagOf, parseOptions, type OptionSpecs, type ParsedOptions } from './args.ts';
import type { Command, CommandContext, CommandEntry, CommandGroup } from './command.ts';
import { loadAllCommands, loadCommand } from './commands/index.ts';
import { CancelledError, ExitCode, UsageError, UserInputError, oneLine } from './errors.ts';
import { commandHelp, groupHelp, topLevelHelp } from './help.ts';
import { productVersion } from '../version.ts';
import { toJsonLine } from '../io/json-file.ts';
import { silentProgress } from '../progress/progress.ts';
import { createTerminalProgress, jsonLinesProgress, type ProgressOutputStream, type TerminalProgress } from '../progress/terminal-progress-bar.ts';

export interface CliEnvironment {
  stdout: { write(chunk: string): unknown };
  stderr: ProgressOutputStream;
  env?: Record<string, string | undefined>;
  /** Aborted when the user asks to stop (Ctrl-C); commands see it as `context.signal`. */
  signal?: AbortSignal;
  /** Defaults to the registry in commands/index.ts (loaded as needed); tests pass their own. */
  commands?: readonly CommandEntry[];
}

/** Options every command accepts; a command must not declare these names itself. */
export const globalOptions = {
  json: { type: 'boolean', description: 'print a JSON summary as the last line of stdout' },
  progress: {
    type: 'string',
    choices: ['auto', 'bar', 'lines', 'json', 'none'],
    default: 'auto',
    valueName: 'MODE',
    description: 'progress on stderr; auto: a bar on a terminal, occasional lines otherwise',
  },
  quiet: { type: 'boolean', description: 'no progress output (same as --progress none)' },
  help: { type: 'boolean', description: 'show help (also -h)' },
} as const satisfies OptionSpecs;

type ResolvedCommand =
  { kind: 'command'; command: Command; path: string[]; rest: string[] } | { kind: 'group'; group: CommandGroup; path: string[]; rest: string[] };

export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const { stdout, stderr } = environment;
  const debug = environment.env?.ACSR_DEBUG === '1';
  const wantsJson = optionTokens(argv).includes('--json');
  const wantsHelp = optionTokens(argv).some((token) => token === '--help' || token === '-h');
  let path: string[] = [];
  let terminal: TerminalProgress | undefined;

  try {
    const commands = environment.commands ?? (await registeredCommandsFor(argv));
    const first = argv[0];
    if (first === undefined) {
      stdout.write(topLevelHelp(commands, productVersion, globalOptions) + '\n');
      return ExitCode.userInputError;
    }
    if (first === '--version') {
      stdout.write(`${productVersion}\n`);
      return ExitCode.ok;
    }
    if (first === 'help' || first === '--help' || first === '-h') {
      const topic = first === 'help' ? argv.slice(1) : [];
      if (topic.length === 0) {
        stdout.write(topLevelHelp(commands, productVersion, globalOptions) + '\n');
        return ExitCode.ok;
      }
      const resolved = resolveCommand(commands, topic);
      path = resolved.path;
      stdout.write(helpFor(resolved) + '\n');
      return ExitCode.ok;
    }

    const resolved = resolveCommand(commands, argv);
    path = resolved.path;
    if (wantsHelp) {
      stdout.write(helpFor(resolved) + '\n');
      return ExitCode.ok;
    }
    if (resolved.kind === 'group') {
      const names = resolved.group.subcommands.map((entry) => entry.name).join(', ');
      throw new UsageError(`missing subcommand (one of: ${names}; see 'acsr ${path.join(' ')} --help')`);
    }

    const { command, rest } = resolved;
    assertNoClashWithGlobalOptions(command, path);
    const { json, progress: progressMode, quiet, help: _help, ...options } = parseOptions({ ...globalOptions, ...command.options }, rest);
    const commandPath = path.join(' ');
    const mode = quiet ? 'none' : progressMode;
    terminal =
      mode === 'none'
        ? undefined
        : mode === 'json'
          ? { reporter: jsonLinesProgress(stderr), interrupt() {}, close() {} }
          : createTerminalProgress({ stream: stderr, mode, label: `acsr ${commandPath}` });
    const context: CommandContext<Record<string, unknown>> = {
      options,
      print(line = '') {
        terminal?.interrupt();
        stdout.write(line + '\n');
      },
      note(line) {
        terminal?.interrupt();
        stderr.write(`acsr ${commandPath}: note: ${oneLine(line)}\n`);
      },
      progress: terminal?.reporter ?? silentProgress,
      signal: environment.signal ?? new AbortController().signal,
      json,
      commandPath,
    };
    // The parser produced exactly the shape the command declared; only the static link is lost here.
    const summary = await command.run(context as CommandContext<ParsedOptions<OptionSpecs>>);
    terminal?.close();
    if (json) {
      // ok and command come first and cannot be overridden by a summary that happens to use those keys.
      const line = Object.assign({ ok: true, command: commandPath }, summary ?? {}, { ok: true, command: commandPath });
      stdout.write(toJsonLine(line) + '\n');
    }
    return ExitCode.ok;
  } catch (error) {
    terminal?.interrupt();
    terminal?.close();
    const failure = classify(error, debug);
    const prefix = path.length > 0 ? `acsr ${path.join(' ')}` : 'acsr';
    stderr.write(`${prefix}: error: ${failure.message}\n`);
    if (debug && error instanceof Error && error.stack) stderr.write(error.stack + '\n');
    if (wantsJson) {
      const errorLine = { ok: false, command: path.join(' '), error: { type: failure.type, message: failure.message }, exitCode: failure.exitCode };
      stdout.write(toJsonLine(errorLine) + '\n');
    }
    return failure.exitCode;
  }
}

/**
 * The registered commands a command line needs: the one it names (with its own modules only), or,
 * for help, an unknown name or none at all, every command (help lists them, errors suggest them).
 */
async function registeredCommandsFor(argv: readonly string[]): Promise<readonly CommandEntry[]> {
  const name = argv[0] === 'help' ? argv[1] : argv[0];
  const named = name === undefined || name.startsWith('-') ? undefined : await loadCommand(name);
  return named ? [named] : loadAllCommands();
}

/** Tokens before a literal `--`, the ones that can be options. */
function optionTokens(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

function resolveCommand(entries: readonly CommandEntry[], argv: readonly string[]): ResolvedCommand {
  const path: string[] = [];
  let available = entries;
  let group: CommandGroup | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word.startsWith('-')) {
      if (group) return { kind: 'group', group, path, rest: argv.slice(i) };
      throw new UsageError(`expected a command before '${word}' (see 'acsr --help')`);
    }
    const entry = available.find((candidate) => candidate.name === word);
    if (!entry) throw new UsageError(unknownCommandMessage(word, path, available));
    path.push(word);
    if (entry.kind === 'command') return { kind: 'command', command: entry, path, rest: argv.slice(i + 1) };
    group = entry;
    available = entry.subcommands;
  }
  if (!group) throw new UsageError("missing command (see 'acsr --help')");
  return { kind: 'group', group, path, rest: [] };
}

function unknownCommandMessage(word: string, parents: string[], available: readonly CommandEntry[]): string {
  const where = parents.length > 0 ? `subcommand of 'acsr ${parents.join(' ')}'` : 'command';
  const names = available.map((entry) => entry.name);
  const similar = names.find((name) => name.startsWith(word) || word.startsWith(name));
  const hint = similar ? `; did you mean '${similar}'?` : '';
  return `unknown ${where} '${word}'${hint} (available: ${names.join(', ') || 'none'})`;
}

function helpFor(resolved: ResolvedCommand): string {
  return resolved.kind === 'group' ? groupHelp(resolved.group, resolved.path) : commandHelp(resolved.command, resolved.path, globalOptions);
}

function assertNoClashWithGlobalOptions(command: Command, path: string[]): void {
  const globalFlags = new Set(Object.entries(globalOptions).map(([key, spec]) => flagOf(key, spec)));
  const clash = Object.entries(command.options).find(([key, spec]) => key in globalOptions || globalFlags.has(flagOf(key, spec)));
  if (clash) throw new Error(`command 'acsr ${path.join(' ')}' declares option '${clash[0]}', which every command already has`);
}

interface Failure {
  type: 'usage' | 'input' | 'cancelled' | 'internal';
  message: string;
  exitCode: number;
}

function classify(error: unknown, debug: boolean): Failure {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (error instanceof UsageError) return { type: 'usage', message, exitCode: ExitCode.userInputError };
  if (error instanceof UserInputError) return { type: 'input', message, exitCode: ExitCode.userInputError };
  if (error instanceof CancelledError || (error instanceof Error && error.name === 'AbortError')) {
    return { type: 'cancelled', message: 'cancelled', exitCode: ExitCode.cancelled };
  }
  return {
    type: 'internal',
    message: `internal error: ${message}${debug ? '' : ' (run with ACSR_DEBUG=1 for the stack trace)'}`,
    exitCode: ExitCode.internalError,
  };
}
