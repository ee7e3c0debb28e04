/**
 * The eval job in the job runner's worker thread, with real data and models: it sends the
 * accuracy table after every finished unit (partial, then complete), writes the evaluation's
 * folder, and a cancelled evaluation stops with what it finished kept in its journal.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobOutputEvent } from '../../main/ipc/contract/index.ts';
import { PRODUCT_ACTION_MODULES } from '../../main/actions/product-actions.ts';
import type { EvaluateParameters } from '../../main/actions/evaluate-action.ts';
import { JobRunner } from '../../main/jobs/job-runner.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';

let root: string;
let data: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'acsr-eval-job-'));
  data = join(root, 'data');
  await mkdir(join(data, 'neutral'), { recursive: true });
  await writePhotoCrop('skimage-chelsea.png', join(data, 'neutral', 'cat.png'), { left: 120, top: 40, size: 128 });
  await writePhotoCrop('china.jpg', join(data, 'neutral', 'china.png'), { left: 200, top: 100, size: 128 });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

function parameters(name: string, attacks: string): EvaluateParameters {
  return { model: 'nsfwjs-mobilenet-v2', data, attacks, defenses: ['none', 'bits4'], batchSize: 8, out: join(root, name) };
}

test("an eval job sends its table after each unit, partial first, and ends with results.json's numbers", { timeout: 300_000 }, async () => {
  const runner = new JobRunner({ eval: PRODUCT_ACTION_MODULES.eval });
  const outputs: JobOutputEvent[] = [];
  runner.onOutput((event) => outputs.push(event));
  try {
    runner.submit('eval', parameters('whole', 'fgsm:0.04'), { label: 'eval', caseId: null });
    await runner.whenIdle();
    const [job] = runner.list();
    assert.equal(job.state, 'completed', job.error ?? '');
    const tables = outputs.map((event) => (event.output.type === 'evaluation' ? event.output.table : null));
    assert.ok(tables.every((table) => table !== null));
    // clean unit, fgsm unit, then the final table.
    assert.deepEqual(
      tables.map((table) => [table!.complete, table!.rows]),
      [
        [false, ['clean']],
        [false, ['clean', 'fgsm:0.04']],
        [true, ['clean', 'fgsm:0.04']],
      ],
    );
    const results = JSON.parse(await readFile(join(root, 'whole', 'results.json'), 'utf8')) as {
      cells: { row: string; defense: string; accuracy: { successes: number; total: number } }[];
    };
    assert.deepEqual(
      tables.at(-1)!.cells.map((cell) => [cell.row, cell.defense, cell.correct, cell.total]),
      results.cells.map((cell) => [cell.row, cell.defense, cell.accuracy.successes, cell.accuracy.total]),
    );
    assert.deepEqual(job.summary?.plots, ['accuracy-by-attack']);
  } finally {
    await runner.close();
  }
});

test('a cancelled eval job stops, keeping the units it finished in its journal', { timeout: 300_000 }, async () => {
  const runner = new JobRunner({ eval: PRODUCT_ACTION_MODULES.eval });
  let cancelled = false;
  runner.onOutput((event) => {
    // Cancelled as soon as the clean unit is in: the attack units never finish.
    if (!cancelled) {
      cancelled = true;
      runner.cancel(event.jobId);
    }
  });
  try {
    runner.submit('eval', parameters('stopped', 'pgd:0.04:steps=200,deepfool'), { label: 'eval', caseId: null });
    await runner.whenIdle();
    assert.equal(runner.list()[0].state, 'cancelled');
    const journal = (await readFile(join(root, 'stopped', 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { unit?: string });
    const units = journal.flatMap((line) => (line.unit ? [line.unit.split('/')[0]] : []));
    assert.ok(units.includes('clean') && !units.includes('deepfool'), units.join(', '));
    assert.ok((await readdir(join(root, 'stopped'))).includes('results.json'), 'partial results stay readable');
  } finally {
    await runner.close();
  }
});
