/** Help text, generated from the same declarations the parser uses so they cannot disagree. */
import { flagOf, type OptionSpec, type OptionSpecs } from './args.ts';
import type { Command, CommandEntry, CommandGroup } from './command.ts';

export function topLevelHelp(commands: readonly CommandEntry[], version: string, globalOptions: OptionSpecs): string {
  const rows = listCommands(commands, []).map(({ path, summary }) => [path, summary] as const);
  return [
    `acsr ${version} - ACSR Workstation: purifies adversarially perturbed images`,
    '',
    'Usage: acsr <command> [options]',
    '',
    'Commands:',
    ...table(rows),
    '',
    'Options for every command:',
    ...table([...optionRows(globalOptions), ['--version', 'print the version']]),
    '',
    "Run 'acsr <command> --help' for a command's options.",
  ].join('\n');
}

export function groupHelp(group: CommandGroup, path: string[]): string {
  const rows = listCommands(group.subcommands, path).map(({ path: sub, summary }) => [sub, summary] as const);
  return [
    `acsr ${path.join(' ')} - ${group.summary}`,
    '',
    `Usage: acsr ${path.join(' ')} <subcommand> [options]`,
    ...(group.description ? ['', group.description] : []),
    '',
    'Subcommands:',
    ...table(rows),
  ].join('\n');
}

export function commandHelp(command: Command, path: string[], globalOptions: OptionSpecs): string {
  const lines = [`acsr ${path.join(' ')} - ${command.summary}`, '', `Usage: acsr ${path.join(' ')} [options]`];
  if (command.description) lines.push('', command.description);
  const rows = optionRows(command.options);
  if (rows.length > 0) lines.push('', 'Options:', ...table(rows));
  lines.push('', 'Global options:', ...table(optionRows(globalOptions)));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}

function listCommands(entries: readonly CommandEntry[], parents: string[]): { path: string; summary: string }[] {
  return entries.flatMap((entry) =>
    entry.kind === 'group' ? listCommands(entry.subcommands, [...parents, entry.name]) : [{ path: [...parents, entry.name].join(' '), summary: entry.summary }],
  );
}

function optionRows(specs: OptionSpecs): (readonly [string, string])[] {
  return Object.entries(specs).map(([key, spec]) => [usageOf(key, spec), describe(spec)] as const);
}

function usageOf(key: string, spec: OptionSpec): string {
  const flag = flagOf(key, spec);
  if (spec.type === 'boolean') return spec.default === true ? `--[no-]${flag}` : `--${flag}`;
  const valueName = spec.valueName ?? (spec.type === 'string' ? 'VALUE' : spec.type === 'integer' ? 'N' : 'X');
  return `--${flag} ${valueName}${spec.multiple ? '...' : ''}`;
}

function describe(spec: OptionSpec): string {
  const facts: string[] = [];
  if (spec.type !== 'boolean' && spec.required) facts.push('required');
  if (spec.type !== 'boolean' && spec.choices) facts.push(`one of ${spec.choices.join(', ')}`);
  if (spec.type === 'number' || spec.type === 'integer') {
    if (spec.greaterThan !== undefined) facts.push(`> ${spec.greaterThan}`);
    if (spec.min !== undefined) facts.push(`>= ${spec.min}`);
    if (spec.max !== undefined) facts.push(`<= ${spec.max}`);
  }
  if (spec.type !== 'boolean' && spec.multiple) facts.push('repeatable');
  if (spec.default !== undefined) facts.push(`default: ${spec.type === 'boolean' ? (spec.default ? 'on' : 'off') : spec.default}`);
  return facts.length > 0 ? `${spec.description} (${facts.join('; ')})` : spec.description;
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(22, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
