/** How a failure inside a service becomes a `CallFailure` the renderer can show as it is. */
import { UserInputError } from '../errors/user-input-error.ts';
import { CancelledError } from '../progress/progress.ts';
import type { CallFailure, CallResult } from './contract/index.ts';

/** Raised for what this host does not offer (a native dialog in the browser) or what is not built yet. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

export function failureFromError(error: unknown): CallFailure {
  if (error instanceof UnavailableError) return { kind: 'unavailable', message: error.message };
  if (error instanceof UserInputError) return { kind: 'user-error', message: error.message };
  if (error instanceof CancelledError) return { kind: 'user-error', message: 'cancelled' };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', message: `internal error: ${message}` };
}

export async function settle<T>(work: () => Promise<T>): Promise<CallResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: failureFromError(error) };
  }
}
