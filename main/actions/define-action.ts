/**
 * A long action (import, purify, train, report, verify, evaluate) defined once: its parameters as
 * a zod schema and a `run` that does the work. The CLI command and the job runner's worker both
 * call the same definition; each validates the parameters where they enter (the command from its
 * options, the worker from what crossed the thread boundary), so `run` sees them typed, never cast.
 */
import type { z } from 'zod';
import { UserInputError } from '../errors/user-input-error.ts';
import type { JobOutput } from '../ipc/contract/index.ts';
import type { ProgressReporter } from '../progress/progress.ts';

export interface ActionControl {
  progress: ProgressReporter;
  /** Aborted on cancel (the jobs panel) or Ctrl-C (the command line). */
  signal: AbortSignal;
  /**
   * Something to show as it arrives (an elbow curve, an atom grid), kept with the job. Absent on
   * the command line, which has nowhere to show it: an action draws nothing for no one.
   */
  output?: (output: JobOutput) => void;
  /** A remark for the person (e.g. a job found interrupted); the command line prints it on stderr, a job has nowhere to put it. */
  note: (line: string) => void;
}

export interface Action<Name extends string, Schema extends z.ZodType, Result> {
  readonly kind: 'action';
  /** The job kind it runs as. */
  readonly name: Name;
  readonly parameters: Schema;
  // Method syntax on purpose: it lets every action sit in one AnyAction table.
  run(parameters: z.output<Schema>, control: ActionControl): Promise<Result>;
  /** What a finished job shows (plain JSON); the command line prints from the result itself. */
  summary(result: Result): Record<string, unknown>;
}

export type AnyAction = Action<string, z.ZodType, unknown>;

/** What a caller hands in: the schema's input (defaults may be left out). */
export type ActionParameters<A extends AnyAction> = z.input<A['parameters']>;

/** `const` keeps the name a literal, so that the job runner can tell the actions apart by it. */
export function defineAction<const Name extends string, Schema extends z.ZodType, Result>(
  definition: Omit<Action<Name, Schema, Result>, 'kind'>,
): Action<Name, Schema, Result> {
  return { kind: 'action', ...definition };
}

/** Validated parameters; a value that does not fit is the caller's mistake (exit 2, a failed job with the reason). */
export function parseActionParameters<Schema extends z.ZodType>(action: Action<string, Schema, unknown>, parameters: unknown): z.output<Schema> {
  const parsed = action.parameters.safeParse(parameters);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new UserInputError(`${action.name}: ${where}${issue?.message ?? 'invalid parameters'}`);
}

/** Validates the parameters and runs the action in this thread (the command line's way). */
export async function runAction<Schema extends z.ZodType, Result>(
  action: Action<string, Schema, Result>,
  parameters: z.input<Schema>,
  control: ActionControl,
): Promise<Result> {
  return action.run(parseActionParameters(action, parameters), control);
}

export function isAction(value: unknown): value is AnyAction {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'action' && 'name' in value && 'run' in value;
}
