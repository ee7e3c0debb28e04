/**
 * The boundary check both hosts run on every call from the renderer before anything else sees
 * it: the channel must be one of the contract's, and the input must parse with its schema. What
 * reaches the backend is the parsed value (trimmed, unknown keys refused), never the raw one.
 * Answers are checked against the contract too, so a service that drifts from it fails loudly
 * here (and in the tests) instead of confusing the renderer.
 */
import { z } from 'zod';
import { isRequestChannel, requestChannels, type CallResult, type RequestChannel } from './contract/index.ts';
import { plainInputMessage, technicalInputError } from './plain-input-error.ts';

export type ParsedCall = (channel: RequestChannel, parsedInput: unknown) => Promise<CallResult>;
export type RawCall = (channel: unknown, rawInput: unknown) => Promise<CallResult>;

export function createValidatedDispatcher(backend: ParsedCall): RawCall {
  return async (channel, rawInput) => {
    if (!isRequestChannel(channel)) {
      return { ok: false, error: { kind: 'invalid-input', message: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
    }
    const parsed = requestChannels[channel].input.safeParse(rawInput);
    if (!parsed.success) {
      // The person reads what to do; the schema paths go to the log, where someone debugging looks.
      console.warn(`refused input: ${technicalInputError(channel, parsed.error)}`);
      return { ok: false, error: { kind: 'invalid-input', message: plainInputMessage(parsed.error) } };
    }
    const result = await backend(channel, parsed.data);
    if (!result.ok) return result;
    const answer = requestChannels[channel].output.safeParse(result.value);
    if (!answer.success) {
      return {
        ok: false,
        error: {
          kind: 'internal',
          message: `internal error: the answer to ${channel} breaks the IPC contract (${z.prettifyError(answer.error).replace(/\n/g, '; ')})`,
        },
      };
    }
    return { ok: true, value: answer.data };
  };
}
