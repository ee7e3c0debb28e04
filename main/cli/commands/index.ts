/**
 * The registry of `acsr` subcommands: the one list the CLI dispatches on and `acsr --help` shows.
 *
 * To add a command:
 *   1. create main/cli/commands/<name>.ts exporting `export const <name>Command = defineCommand({
 *        name: '<name>', summary: '...', options: { ... }, async run({ options, progress, signal, print }) { ... return summary; } })`
 *      (see info.ts; option declarations are documented in ../args.ts);
 *   2. import it here and add it to `commands` below.
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
import { attackCommand } from './attack.ts';
import { benchCommandGroup } from './bench-csc.ts';
import { calibrateEvasionCommand } from './calibrate-evasion.ts';
import { caseCommandGroup } from './case.ts';
import { cscCommand } from './csc.ts';
import { evalCommand } from './eval.ts';
import { hashlistCommandGroup } from './hashlist.ts';
import { infoCommand } from './info.ts';
import { learnDictionaryCommand } from './learn-dictionary.ts';
import { modelsCommandGroup } from './models.ts';
import { pdqCommand } from './pdq.ts';
import { purifyCommand } from './purify.ts';
import { serveCommand } from './serve.ts';
import { tikhonovCommand } from './tikhonov.ts';
import { trainCommand } from './train.ts';
import { trainRobustCommand } from './train-robust.ts';
import { adoptRobustCommand } from './adopt-robust.ts';
import { tuneCommand } from './tune.ts';
import { workerCommand } from './worker.ts';

export const commands: readonly CommandEntry[] = [
  tikhonovCommand,
  trainCommand,
  trainRobustCommand,
  adoptRobustCommand,
  tuneCommand,
  calibrateEvasionCommand,
  purifyCommand,
  attackCommand,
  evalCommand,
  cscCommand,
  learnDictionaryCommand,
  pdqCommand,
  modelsCommandGroup,
  benchCommandGroup,
  caseCommandGroup,
  hashlistCommandGroup,
  serveCommand,
  workerCommand,
  infoCommand,
];
