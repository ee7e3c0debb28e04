/**
 * What the renderer talks to: the IPC contract as typed calls and event subscriptions. Two
 * transports implement it (the preload bridge in Electron, the WebSocket of `acsr serve`);
 * everything else in the renderer sees only this interface.
 */
import type {
  CallFailure,
  CallResult,
  EventChannel,
  EventPayload,
  FailureKind,
  RequestChannel,
  RequestInput,
  RequestOutput,
} from '../../main/ipc/contract/index.ts';

export interface WorkstationClient {
  call<C extends RequestChannel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>>;
  subscribe<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Called once if the connection to the host is lost for good, with a message for people. */
  onDisconnect(listener: (message: string) => void): () => void;
}

/** A failed call, carrying the contract's failure kind; its message is meant for people. */
export class CallError extends Error {
  readonly kind: FailureKind | 'disconnected';

  constructor(failure: CallFailure | { kind: 'disconnected'; message: string }) {
    super(failure.message);
    this.name = 'CallError';
    this.kind = failure.kind;
  }
}

export function unwrap<T>(result: CallResult<T>): T {
  if (result.ok) return result.value;
  throw new CallError(result.error);
}

/** An internal failure is a bug: the person reads what to do, the technical line is one click away (detailsOf). */
export const INTERNAL_FAILURE_MESSAGE = 'Something went wrong inside the workstation. Try again; if it happens again, report it with the details below.';

export function messageOf(error: unknown): string {
  if (error instanceof CallError) return error.kind === 'internal' ? INTERNAL_FAILURE_MESSAGE : error.message;
  if (error instanceof Error) return `Unexpected error in the user interface: ${error.message}`;
  return `Unexpected error: ${String(error)}`;
}

/** The technical line behind a message, shown on demand only (a bug report needs it, an investigator does not). */
export function detailsOf(error: unknown): string | null {
  if (error instanceof CallError) return error.kind === 'internal' ? error.message : null;
  if (error instanceof Error) return error.stack ?? error.message;
  return null;
}
