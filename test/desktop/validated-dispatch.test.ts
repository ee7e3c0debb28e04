/**
 * The boundary check both hosts share: what reaches a service is the parsed input or nothing,
 * and what leaves is an answer that matches the contract or an internal error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallResult, RequestChannel } from '../../main/ipc/contract/index.ts';
import { createValidatedDispatcher } from '../../main/ipc/validated-dispatch.ts';

function recordingDispatcher(answer: (channel: RequestChannel, input: unknown) => CallResult) {
  const seen: { channel: RequestChannel; input: unknown }[] = [];
  const dispatch = createValidatedDispatcher(async (channel, input) => {
    seen.push({ channel, input });
    return answer(channel, input);
  });
  return { dispatch, seen };
}

const appState = { host: 'browser', examiner: 'A. Jones', blurByDefault: true, nativeFolderDialog: false, workspace: '/cases' };

test('the service receives the parsed input: trimmed, and only after it passed the schema', async () => {
  const { dispatch, seen } = recordingDispatcher(() => ({ ok: true, value: appState }));
  const result = await dispatch('app.setExaminer', { name: '  A. Jones  ' });
  assert.deepEqual(result, { ok: true, value: appState });
  assert.deepEqual(seen, [{ channel: 'app.setExaminer', input: { name: 'A. Jones' } }]);
});

test('unknown channels and invalid inputs never reach the service', async () => {
  const { dispatch, seen } = recordingDispatcher(() => ({ ok: true, value: appState }));
  for (const [channel, input] of [
    ['app.setExaminer', { name: '   ' }],
    ['app.setExaminer', { name: 'A', role: 'admin' }],
    ['app.setExaminer', null],
    ['app.setExaminer', 'A. Jones'],
    ['constructor', {}],
    [42, {}],
  ] as const) {
    const result = await dispatch(channel, input);
    assert.equal(!result.ok && result.error.kind, 'invalid-input', `${String(channel)} ${JSON.stringify(input)}`);
  }
  assert.deepEqual(seen, []);
});

test("an answer that breaks the contract becomes an internal error, and a service's own failure passes through", async () => {
  const broken = recordingDispatcher(() => ({ ok: true, value: { host: 'somewhere-else' } }));
  const result = await broken.dispatch('app.state', {});
  assert.equal(!result.ok && result.error.kind, 'internal');
  assert.match(!result.ok ? result.error.message : '', /app\.state breaks the IPC contract/);

  const refusing = recordingDispatcher(() => ({ ok: false, error: { kind: 'user-error', message: 'no such case' } }));
  assert.deepEqual(await refusing.dispatch('cases.get', { caseId: 'C-1' }), { ok: false, error: { kind: 'user-error', message: 'no such case' } });
});
