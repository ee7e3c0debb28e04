/**
 * The registry of `acsr` subcommands: the one list the CLI dispatches on and `acsr --help` shows.
 *
 * To add a command:
 *   1. create main/cli/commands/<name>.ts exporting `export const <name>Command = defineCommand({
 *        name: '<name>', summary: '...', options: { ... }, async run({ options, progress, signal, print }) { ... return summary; } })`
 *      (see info.ts; option declarations are documented in ../args.ts);
 *   2. add a loader for it to `COMMAND_LOADERS` below (in the order `acsr --help` lists them).
 * Commands are loaded when used: `acsr purify` imports the purification's modules and not the
 * case database's, the report writer's or the host server's (half a second of start-up saved on
 * every run). `acsr --help` loads them all.
 * For a nested command such as `acsr bench csc`, export the command from bench-csc.ts and list it
 * in a group: `defineCommandGroup({ name: 'bench', summary: '...', subcommands: [benchCscCommand] })`.
 *
 * Option names must not clash with the global ones (json, progress, quiet, help).
 * Throw UserInputError (main/cli/errors.ts) for anything the user can fix (exit code 2); anything
 * else is reported as an internal error (exit code 1). Return a plain object to have it printed
 * as the `--json` summary line. Pass `progress` and `signal` to long computations (they take a
 * TaskControl, main/progress/progress.ts). Useful io: readImage / readArrayOrImage / readNpy for
 * inputs, expandImageInputs for `--in DIR|FILES`, assertShape to validate loaded arrays, and
 * writeNpy / writePng / writeJsonFile for outputs (all written atomically).
 */
import type { CommandEntry } from '../command.ts';

const COMMAND_LOADERS: readonly (readonly [name: string, load: () => Promise<CommandEntry>])[] = [
  ['tikhonov', async () => (await import('./tikhonov.ts')).tikhonovCommand],
  ['train', async () => (await import('./train.ts')).trainCommand],
  ['train-robust', async () => (await import('./train-robust.ts')).trainRobustCommand],
  ['adopt-robust', async () => (await import('./adopt-robust.ts')).adoptRobustCommand],
  ['tune', async () => (await import('./tune.ts')).tuneCommand],
  ['calibrate-evasion', async () => (await import('./calibrate-evasion.ts')).calibrateEvasionCommand],
  ['purify', async () => (await import('./purify.ts')).purifyCommand],
  ['attack', async () => (await import('./attack.ts')).attackCommand],
  ['eval', async () => (await import('./eval.ts')).evalCommand],
  ['csc', async () => (await import('./csc.ts')).cscCommand],
  ['learn-dictionary', async () => (await import('./learn-dictionary.ts')).learnDictionaryCommand],
  ['pdq', async () => (await import('./pdq.ts')).pdqCommand],
  ['models', async () => (await import('./models.ts')).modelsCommandGroup],
  ['bench', async () => (await import('./bench-csc.ts')).benchCommandGroup],
  ['case', async () => (await import('./case.ts')).caseCommandGroup],
  ['hashlist', async () => (await import('./hashlist.ts')).hashlistCommandGroup],
  ['serve', async () => (await import('./serve.ts')).serveCommand],
  ['worker', async () => (await import('./worker.ts')).workerCommand],
  ['info', async () => (await import('./info.ts')).infoCommand],
];

/** Every command, in the order `acsr --help` lists them. */
export async function loadAllCommands(): Promise<readonly CommandEntry[]> {
  return Promise.all(COMMAND_LOADERS.map(([, load]) => load()));
}

/** The top-level command called `name` (loading only its own modules), or undefined for an unknown name. */
export async function loadCommand(name: string): Promise<CommandEntry | undefined> {
  const entry = COMMAND_LOADERS.find(([known]) => known === name);
  if (!entry) return undefined;
  const command = await entry[1]();
  if (command.name !== name) throw new Error(`the loader for '${name}' returned the command '${command.name}'`);
  return command;
}
