/**
 * What a subcommand is: a name, its options declared as data (see args.ts), and a `run` that
 * receives the parsed options plus everything it needs from the outside world. Commands never
 * touch process.stdout, process.exit or process.argv themselves, so the framework controls exit
 * codes, error lines and the `--json` last line, and tests can run commands in-process.
 */
import type { ProgressReporter } from '../progress/progress.ts';
import type { OptionSpecs, ParsedOptions } from './args.ts';

/** The `--json` summary: printed as the last stdout line as {"ok":true,"command":...,...summary}. */
export type CommandSummary = Record<string, unknown>;

export interface CommandContext<Options> {
  options: Options;
  /** A line of human-readable output on stdout (also printed in --json mode, before the summary). */
  print(line?: string): void;
  /** A line on stderr as "acsr <cmd>: note: ...", e.g. an image's decoding notes. */
  note(line: string): void;
  progress: ProgressReporter;
  /** Aborted on Ctrl-C; pass it to solvers and call throwIfCancelled between iterations. */
  signal: AbortSignal;
  /** True when --json was given; commands may skip verbose human output then. */
  json: boolean;
  /** E.g. 'csc' or 'bench csc', for messages. */
  commandPath: string;
}

export interface Command<S extends OptionSpecs = OptionSpecs> {
  kind: 'command';
  name: string;
  /** One line, shown in `acsr --help`. */
  summary: string;
  /** Paragraphs shown in the command's own --help. */
  description?: string;
  examples?: readonly string[];
  options: S;
  // Method syntax on purpose: it lets a Command<SpecificOptions> sit in the registry's list.
  run(context: CommandContext<ParsedOptions<S>>): Promise<CommandSummary | void>;
}

/** A command with subcommands, e.g. `acsr bench csc`. Groups may nest. */
export interface CommandGroup {
  kind: 'group';
  name: string;
  summary: string;
  description?: string;
  subcommands: readonly CommandEntry[];
}

/**
 * Commands of any option shape. The options are erased here on purpose: each command is typed by
 * its own declaration, and the dispatcher only hands it what parseOptions built from that same
 * declaration. (Command<OptionSpecs> would not do: ParsedOptions over the general spec record is
 * not comparable with a specific one that mixes repeatable and optional options.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandEntry = Command<any> | CommandGroup;

/** `const` makes literal option declarations (choices, required: true) flow into the option types. */
export function defineCommand<const S extends OptionSpecs>(definition: Omit<Command<S>, 'kind'>): Command<S> {
  return { kind: 'command', ...definition };
}

export function defineCommandGroup(definition: Omit<CommandGroup, 'kind'>): CommandGroup {
  return { kind: 'group', ...definition };
}
