import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EvaluationJournal } from '../../main/acsr/evaluation/evaluation-journal.ts';

const configuration = { model: 'm', attacks: ['fgsm:0.04'], seed: 0 };
const unit = (key: string) => ({
  unit: key,
  row: 'clean',
  attackSeconds: 0,
  outcomes: [{ sample: 0, label: 3, defended: [{ defense: 'none', predicted: 3, seconds: 0.01 }] }],
});

test('a journal keeps finished units across reopenings and ignores the line a kill cut short', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'acsr-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'journal.jsonl');
  const first = EvaluationJournal.open(path, configuration);
  first.record(unit('clean/b0'));
  first.record(unit('clean/b1'));
  appendFileSync(path, '{"unit":"clean/b2","row":"clean","outc'); // killed mid-write

  const resumed = EvaluationJournal.open(path, configuration);
  assert.deepEqual(
    resumed.units().map((u) => u.unit),
    ['clean/b0', 'clean/b1'],
  );
  assert.equal(resumed.has('clean/b2'), false);
  resumed.record(unit('clean/b2'));

  const again = EvaluationJournal.open(path, configuration);
  assert.deepEqual(
    again.units().map((u) => u.unit),
    ['clean/b0', 'clean/b1', 'clean/b2'],
  );
  assert.deepEqual(again.units()[2], unit('clean/b2'));
  assert.match(readFileSync(path, 'utf8'), /outc\n\{"unit":"clean\/b2"/);
});

test('a folder holding another evaluation is refused rather than mixed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'acsr-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'journal.jsonl');
  EvaluationJournal.open(path, configuration).record(unit('clean/b0'));
  assert.throws(() => EvaluationJournal.open(path, { ...configuration, seed: 1 }), /different evaluation/);
  appendFileSync(join(dir, 'other.jsonl'), 'not json\n');
  assert.throws(() => EvaluationJournal.open(join(dir, 'other.jsonl'), configuration), /not an evaluation journal/);
});
