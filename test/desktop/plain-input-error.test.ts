/**
 * What the renderer shows when the contract refuses a request: a sentence naming the field in
 * words and what to do, through the same dispatcher both hosts run; never a schema path, a
 * channel name or zod's own wording; an internal failure reads as what to do, its technical line
 * behind Details.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createValidatedDispatcher } from '../../main/ipc/validated-dispatch.ts';
import { CallError, INTERNAL_FAILURE_MESSAGE, detailsOf, messageOf } from '../../renderer/client/workstation-client.ts';

const dispatch = createValidatedDispatcher(async () => ({ ok: true, value: null }));

async function refusal(channel: string, input: unknown): Promise<string> {
  const result = await dispatch(channel, input);
  assert.equal(result.ok, false, `${channel} ${JSON.stringify(input)} was accepted`);
  return result.ok ? '' : result.error.message;
}

const SCHEMA_WORDING = /→|\bat sources|\[\d+\]|jobs\.start|Invalid input|Too (small|big)|expected|✖/;

test('each field a person fills in is refused with its name in words and what to do', async () => {
  const cases: [string, unknown, string][] = [
    ['jobs.start', { kind: 'import', caseId: 'C-1', sources: ['relative/photos'] }, 'The folder to import: give its full path, starting with /.'],
    [
      'jobs.start',
      { kind: 'train', labelledFolder: '/data', bundleName: 'my bundle!' },
      'The bundle name: use only letters, digits and . _ - (at most 64 characters), starting with a letter or digit.',
    ],
    ['jobs.start', { kind: 'train', labelledFolder: 'data', bundleName: 'ok' }, 'The labelled folder: give its full path, starting with /.'],
    ['jobs.start', { kind: 'train', labelledFolder: '/data', bundleName: 'ok', atoms: 0 }, 'The number of patterns per cluster: use a number of at least 1.'],
    [
      'jobs.start',
      { kind: 'train', labelledFolder: '/data', bundleName: 'ok', kMax: 99 },
      'The largest number of clusters per class: use a number no larger than 16.',
    ],
    ['app.setExaminer', { name: '   ' }, 'Your name: cannot be empty.'],
    ['cases.create', { number: '', title: 'x' }, 'The case number: cannot be empty.'],
    ['cases.create', { number: 'A\tB', title: 'x' }, 'The case number: remove the tabs and line breaks.'],
    ['evidence.addTag', { caseId: 'C-1', itemId: 1, tag: ' ' }, 'The tag: cannot be empty.'],
  ];
  for (const [channel, input, expected] of cases) {
    const message = await refusal(channel, input);
    assert.equal(message, expected, JSON.stringify(input));
    assert.doesNotMatch(message, SCHEMA_WORDING);
  }
});

test('a request no person could have typed gets one plain sentence, never the schema path', async () => {
  for (const [channel, input] of [
    ['jobs.start', { kind: 'import', caseId: 'C-1' }],
    ['jobs.start', { kind: 'teleport' }],
    ['app.setExaminer', { name: 'A', role: 'admin' }],
    ['evidence.get', { caseId: 'C-1', itemId: 'one' }],
  ] as const) {
    const message = await refusal(channel, input);
    assert.match(message, /^The workstation could not read this request\. Reload the window and try again/);
    assert.doesNotMatch(message, SCHEMA_WORDING);
  }
});

test('an internal failure reads as what to do; its technical line is kept for Details only', () => {
  const internal = new CallError({ kind: 'internal', message: 'internal error: the answer to cases.get breaks the IPC contract' });
  assert.equal(messageOf(internal), INTERNAL_FAILURE_MESSAGE);
  assert.doesNotMatch(messageOf(internal), SCHEMA_WORDING);
  assert.equal(detailsOf(internal), 'internal error: the answer to cases.get breaks the IPC contract');
  const userError = new CallError({ kind: 'user-error', message: 'a bundle named field-office already exists; choose another name' });
  assert.equal(messageOf(userError), 'a bundle named field-office already exists; choose another name');
  assert.equal(detailsOf(userError), null);
});
