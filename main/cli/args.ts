/**
 * A small typed command-line parser. Each command declares its options once, as data; the
 * parsed result is typed from that declaration, and the same declaration produces `--help`.
 *
 * Syntax: `--name value`, `--name=value`, booleans `--flag` / `--no-flag`, repeatable options
 * either as `--in a --in b` or `--in a b c` (values up to the next `--option`), `--` ends
 * options. Values starting with a single '-' (like -0.5) are values, not options.
 */
import { UsageError } from './errors.ts';

interface OptionBase {
  description: string;
  /** Defaults to the key in kebab-case: `autoRho` is `--auto-rho`. */
  flag?: string;
  /** Placeholder in help, e.g. FILE; defaults by type. */
  valueName?: string;
}

export interface StringOptionSpec extends OptionBase {
  type: 'string';
  required?: boolean;
  multiple?: boolean;
  default?: string;
  choices?: readonly string[];
}

export interface NumberOptionSpec extends OptionBase {
  /** 'integer' also rejects fractions. Both reject NaN, Infinity and anything not a plain decimal. */
  type: 'number' | 'integer';
  required?: boolean;
  multiple?: boolean;
  default?: number;
  choices?: readonly number[];
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound, for values that must be positive. */
  greaterThan?: number;
  /** Inclusive upper bound. */
  max?: number;
}

export interface BooleanOptionSpec extends OptionBase {
  type: 'boolean';
  default?: boolean;
}

export type OptionSpec = StringOptionSpec | NumberOptionSpec | BooleanOptionSpec;
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { choices: readonly (infer Choice)[] }
    ? Choice
    : S extends { type: 'number' | 'integer' }
      ? number
      : string;

type ParsedValue<S> = S extends { multiple: true } ? ValueOf<S>[] : ValueOf<S>;

/** Booleans default to false and repeatable options to [], so those are always present. */
type IsAlwaysPresent<S> = S extends { required: true }
  ? true
  : S extends { default: unknown }
    ? true
    : S extends { type: 'boolean' }
      ? true
      : S extends { multiple: true }
        ? true
        : false;

export type ParsedOptions<S extends OptionSpecs> = {
  -readonly [K in keyof S as IsAlwaysPresent<S[K]> extends true ? K : never]: ParsedValue<S[K]>;
} & {
  -readonly [K in keyof S as IsAlwaysPresent<S[K]> extends true ? never : K]?: ParsedValue<S[K]>;
};

export function flagOf(key: string, spec: OptionSpec): string {
  return spec.flag ?? key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseOptions<S extends OptionSpecs>(specs: S, argv: readonly string[]): ParsedOptions<S> {
  const byFlag = new Map<string, [key: string, spec: OptionSpec]>();
  for (const [key, spec] of Object.entries(specs)) byFlag.set(flagOf(key, spec), [key, spec]);

  const collected = new Map<string, unknown[]>();
  const add = (key: string, value: unknown) => collected.set(key, [...(collected.get(key) ?? []), value]);

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      if (i + 1 < argv.length) throw new UsageError(`unexpected argument '${argv[i + 1]}'`);
      break;
    }
    if (!token.startsWith('--')) {
      throw new UsageError(
        token.startsWith('-') && token.length > 1 && !PLAIN_DECIMAL.test(token)
          ? `unknown option '${token}' (options are spelled --name)`
          : `unexpected argument '${token}' (every value follows its --option)`,
      );
    }
    const [name, inlineValue] = splitInlineValue(token.slice(2));
    const direct = byFlag.get(name);
    const negated = !direct && name.startsWith('no-') ? byFlag.get(name.slice(3)) : undefined;
    if (negated && negated[1].type === 'boolean') {
      if (inlineValue !== undefined) throw new UsageError(`--${name} takes no value`);
      add(negated[0], false);
      continue;
    }
    if (!direct) throw new UsageError(unknownOptionMessage(name, [...byFlag.keys()]));
    const [key, spec] = direct;

    if (spec.type === 'boolean') {
      add(key, inlineValue === undefined ? true : parseBooleanText(inlineValue, name));
      continue;
    }
    const values: string[] = [];
    if (inlineValue !== undefined) values.push(inlineValue);
    else if (i + 1 < argv.length && !isOptionToken(argv[i + 1])) values.push(argv[++i]);
    else throw new UsageError(`--${name} needs a value`);
    // A repeatable option also takes the words after it, so `--in photos/*.jpg` works.
    if (spec.multiple) while (i + 1 < argv.length && !isOptionToken(argv[i + 1])) values.push(argv[++i]);
    for (const text of values) add(key, spec.type === 'string' ? parseString(text, name, spec) : parseNumber(text, name, spec));
  }

  const result: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const flag = flagOf(key, spec);
    const values = collected.get(key);
    if (spec.type !== 'boolean' && spec.multiple) {
      result[key] = values ?? (spec.default !== undefined ? [spec.default] : []);
      if (spec.required && (values?.length ?? 0) === 0) throw new UsageError(`--${flag} is required`);
      continue;
    }
    if (values && values.length > 1) throw new UsageError(`--${flag} given ${values.length} times; it takes one value`);
    if (values) result[key] = values[0];
    else if (spec.default !== undefined) result[key] = spec.default;
    else if (spec.type === 'boolean') result[key] = false;
    else if (spec.required) throw new UsageError(`--${flag} is required`);
  }
  return result as ParsedOptions<S>;
}

function splitInlineValue(body: string): [name: string, value: string | undefined] {
  const equals = body.indexOf('=');
  return equals < 0 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

function isOptionToken(token: string): boolean {
  return token.startsWith('--');
}

function parseBooleanText(text: string, flag: string): boolean {
  if (/^(true|yes|on|1)$/i.test(text)) return true;
  if (/^(false|no|off|0)$/i.test(text)) return false;
  throw new UsageError(`--${flag} is a switch: use --${flag} or --no-${flag}, not --${flag}=${text}`);
}

function parseString(text: string, flag: string, spec: StringOptionSpec): string {
  if (text === '') throw new UsageError(`--${flag} needs a non-empty value`);
  if (spec.choices && !spec.choices.includes(text)) {
    throw new UsageError(`--${flag} must be one of ${spec.choices.join(', ')}; got '${text}'`);
  }
  return text;
}

function parseNumber(text: string, flag: string, spec: NumberOptionSpec): number {
  const kind = spec.type === 'integer' ? 'an integer' : 'a number';
  if (!PLAIN_DECIMAL.test(text.trim())) throw new UsageError(`--${flag} must be ${kind}; got '${text}'`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${flag} must be a finite number; got '${text}'`);
  if (spec.type === 'integer' && !Number.isSafeInteger(value)) throw new UsageError(`--${flag} must be an integer; got '${text}'`);
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(`--${flag} must be one of ${spec.choices.join(', ')}; got ${text}`);
  }
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`--${flag} must be >= ${spec.min}; got ${text}`);
  if (spec.greaterThan !== undefined && !(value > spec.greaterThan)) {
    throw new UsageError(`--${flag} must be > ${spec.greaterThan}; got ${text}`);
  }
  if (spec.max !== undefined && value > spec.max) throw new UsageError(`--${flag} must be <= ${spec.max}; got ${text}`);
  return value;
}

function unknownOptionMessage(name: string, known: string[]): string {
  const closest = known.map((candidate) => ({ candidate, distance: editDistance(name, candidate) })).sort((a, b) => a.distance - b.distance)[0];
  const hint = closest && closest.distance <= Math.max(1, Math.floor(name.length / 3)) ? `; did you mean --${closest.candidate}?` : '';
  return `unknown option --${name}${hint}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
