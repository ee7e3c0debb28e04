/**
 * The evaluate action through `acsr eval` and through the job runner, on real Fashion-MNIST test
 * images with the shipped baseline CNN (a few images, one cheap attack, two cheap defenses): both
 * write the same accuracy cells and attack statistics (timings apart), and the job shows the final table as its
 * last output.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir, removeTempDir } from '../case/case-fixtures.ts';
import { fashionMnistDir } from '../support/shared-data.ts';
import { acsrInProcess, runAsJob, withoutTimings } from './action-fixtures.ts';

const MODEL = 'fmnist-baseline-cnn-b25dc5da0ce9';
let root: string;

before(async () => {
  root = await makeTempDir('evaluate-action');
});

after(async () => {
  await removeTempDir(root);
});

interface Results {
  rows: string[];
  cells: { row: string; defense: string; accuracy: { successes: number; total: number } }[];
  attacks: unknown;
}

test('acsr eval and the evaluation job write the same results', { timeout: 300_000 }, async () => {
  const cli = await acsrInProcess([
    'eval',
    '--model',
    MODEL,
    '--data',
    fashionMnistDir,
    '--limit',
    '4',
    '--batch-size',
    '2',
    '--attacks',
    'fgsm:0.04',
    '--defenses',
    'none,bits4',
    '--no-plots',
    '--out',
    join(root, 'by-cli'),
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const job = await runAsJob('eval', {
    model: MODEL,
    data: fashionMnistDir,
    limit: 4,
    batchSize: 2,
    attacks: 'fgsm:0.04',
    defenses: ['none', 'bits4'],
    plots: false,
    out: join(root, 'by-job'),
  });
  assert.equal(job.state, 'completed', job.error ?? '');

  const read = async (folder: string) => JSON.parse(await readFile(join(root, folder, 'results.json'), 'utf8')) as Results;
  const [byCli, byJob] = [await read('by-cli'), await read('by-job')];
  assert.deepEqual(byCli.rows, ['clean', 'fgsm:0.04']);
  assert.equal(byCli.cells.length, 4);
  assert.deepEqual(withoutTimings([byJob.rows, byJob.cells, byJob.attacks]), withoutTimings([byCli.rows, byCli.cells, byCli.attacks]));

  const last = job.outputs.at(-1);
  assert.ok(last?.type === 'evaluation' && last.table.complete && last.table.evaluationId === 'by-job');
  assert.deepEqual(
    last.table.cells.map((cell) => [cell.row, cell.defense, cell.correct, cell.total]),
    byCli.cells.map((cell) => [cell.row, cell.defense, cell.accuracy.successes, cell.accuracy.total]),
  );
  assert.deepEqual([job.summary?.images, job.summary?.unitsRun], [4, cli.summary.unitsRun]);
});
