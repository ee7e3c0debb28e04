/** How every call is answered, over Electron IPC and WebSocket alike: errors travel as data, not exceptions. */
import { z } from 'zod';
import type { EventChannel, EventPayload, RequestChannel, RequestInput, RequestOutput } from './channels.ts';

/**
 * Why a call failed. invalid-input: the schema refused the request (a renderer bug or an attack);
 * user-error: something the person can fix, shown as it is; unavailable: not offered by this
 * host or not built yet; internal: a bug, shown with a generic line (details stay in main's log).
 */
export const failureKindSchema = z.enum(['invalid-input', 'user-error', 'unavailable', 'internal']);
export type FailureKind = z.output<typeof failureKindSchema>;

export const callFailureSchema = z.object({ kind: failureKindSchema, message: z.string() });
export type CallFailure = z.output<typeof callFailureSchema>;

export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: CallFailure };

/** The bridge the preload script exposes to the page, and nothing else: one function per request channel and a subscription to events. */
export type ContractBridge = {
  [C in RequestChannel]: (input: RequestInput<C>) => Promise<CallResult<RequestOutput<C>>>;
} & {
  subscribe<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
};
