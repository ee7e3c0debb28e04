/**
 * The scanner the screen-walking test relies on: it flags each kind of developer language in a
 * line people would read, and passes the plain wording the workstation uses instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findDeveloperLanguage } from './support/developer-language.ts';

const rulesOf = (text: string) => findDeveloperLanguage('sample', text).map((finding) => finding.rule);

test('each kind of developer language is caught', () => {
  const bad: [string, string][] = [
    ['jobs.start: ✖ give an absolute path; → at sources[0]', 'schema path'],
    ['✖ not a bundle id → at bundleName', 'schema path'],
    ['Invalid input: expected string, received undefined', 'zod wording'],
    ['tag given by A. Jones to item:13', 'internal id'],
    ['report written (job:1)', 'internal id'],
    ['subject job: 4', 'process word'],
    ['fixed in issue 16', 'process word'],
    ['Evaluate fmnist-baseline-cnn-b25dc5da0ce9: fgsm × none', 'model id without its name'],
    ['Content filter nsfwjs-mobilenet-v2: Neutral before → Neutral after', 'model id without its name'],
    ['before\tnsfwjs-mobilenet-v2\t8e7dddbb16acacc1\tPorn', 'model id without its name'],
    ['internal error: Cannot read properties of undefined', 'internal error text'],
  ];
  for (const [line, rule] of bad) assert.ok(rulesOf(line).includes(rule), `${rule} not found in "${line}"`);
});

test('the plain wording passes', () => {
  for (const line of [
    'The folder to import: give its full path, starting with /.',
    'NSFW filter (MobileNetV2, standard): Neutral before → Neutral after',
    'Content filter verdicts · model id nsfwjs-mobilenet-v2',
    'Model id\tnsfwjs-mobilenet-v2',
    'Bundle details: id default-bundle, manifest SHA-256 0123abcd…',
    'Purify item #1 of case P-2026-7',
    'brightened ×4 around mid-grey',
    'Tissues and fabrics',
  ]) {
    assert.deepEqual(rulesOf(line), [], line);
  }
});
