/**
 * An evaluation the investigator cancels and resumes, through the workstation's own channels
 * (jobs.start, jobs.cancel, evaluation.resume, evaluation.list) with real Fashion-MNIST test images,
 * the shipped CNN and a real PGD attack: the resumed run continues in the same folder without
 * computing a finished unit again, ends with the same accuracy table as an uninterrupted run of
 * the same request, and the list of past evaluations says what each one is.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobSnapshot, PastEvaluation, RequestInput } from '../../main/ipc/contract/index.ts';
import { WorkstationService } from '../../main/workstation/workstation-service.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const MODEL = 'fmnist-baseline-cnn-b25dc5da0ce9';
const REQUEST: RequestInput<'jobs.start'> = {
  kind: 'eval',
  labelledFolder: fashionMnistDir,
  modelId: MODEL,
  attacks: 'pgd:0.04:steps=40',
  defenses: ['none', 'bits4'],
  // Two batches of eight: clean/b0, pgd/b0, clean/b1, pgd/b1.
  limit: 16,
};

let root: string;
let service: WorkstationService;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'acsr-eval-resume-'));
  service = new WorkstationService({ workspace: root, host: 'browser', nativeFolderDialog: false });
});

after(async () => {
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

const journalUnits = async (folder: string) =>
  (await readFile(join(folder, 'journal.jsonl'), 'utf8'))
    .split('\n')
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { unit: string; seconds?: number });
const listed = async (evaluationId: string): Promise<PastEvaluation> => {
  const found = (await service.handlers['evaluation.list']({})).find((entry) => entry.evaluationId === evaluationId);
  assert.ok(found, `${evaluationId} is listed`);
  return found;
};
const cellsOf = (entry: PastEvaluation) => entry.table!.cells.map((cell) => [cell.row, cell.defense, cell.correct, cell.total, cell.low, cell.high]);

test('a cancelled evaluation resumes into its own folder and ends with the table of an uninterrupted run', { timeout: 900_000 }, async () => {
  const progress = new Map<number, JobSnapshot[]>();
  service.jobs.onChange((snapshot) => progress.set(snapshot.jobId, [...(progress.get(snapshot.jobId) ?? []), snapshot]));
  let cancelAfterFirstUnit = true;
  service.jobs.onOutput((event) => {
    if (cancelAfterFirstUnit) {
      cancelAfterFirstUnit = false;
      service.jobs.cancel(event.jobId);
    }
  });

  // 1. Started and cancelled as soon as its first unit is in the journal.
  const first = await service.handlers['jobs.start'](REQUEST);
  await service.jobs.whenIdle();
  const cancelled = service.jobs.list().find((job) => job.jobId === first.jobId)!;
  assert.equal(cancelled.state, 'cancelled', cancelled.error ?? '');
  const [stopped] = await service.handlers['evaluation.list']({});
  const folder = stopped.folder;
  assert.equal(stopped.status, 'stopped');
  assert.equal(stopped.cannotResume, null);
  assert.equal(stopped.jobId, first.jobId);
  assert.equal(stopped.model?.id, MODEL);
  assert.match(stopped.dataset, /16 images of the Fashion-MNIST/);
  assert.deepEqual(stopped.attacks, ['pgd:0.04:steps=40']);
  assert.equal(stopped.table?.complete, false);
  const before = await journalUnits(folder);
  assert.ok(before.length >= 1 && before.length < 4, `${before.length} units done before the cancel took effect`);
  assert.ok(
    before.every((unit) => typeof unit.seconds === 'number' && unit.seconds > 0),
    'each unit records its wall-clock seconds',
  );

  // 2. Resumed: the same folder, only the units not in the journal are computed.
  const resumed = await service.handlers['evaluation.resume']({ evaluationId: stopped.evaluationId });
  await assert.rejects(service.handlers['evaluation.resume']({ evaluationId: stopped.evaluationId }), /already running/);
  await service.jobs.whenIdle();
  const finished = service.jobs.list().find((job) => job.jobId === resumed.jobId)!;
  assert.equal(finished.state, 'completed', finished.error ?? '');
  assert.equal(finished.summary?.evaluationFolder, folder);
  assert.equal(finished.summary?.unitsRun, 4 - before.length);
  const after = await journalUnits(folder);
  assert.equal(after.length, 4);
  assert.deepEqual(
    after.slice(0, before.length).map((unit) => unit.unit),
    before.map((unit) => unit.unit),
  );
  assert.equal(new Set(after.map((unit) => unit.unit)).size, 4, 'no unit computed twice');
  const resumedEntry = await listed(stopped.evaluationId);
  assert.equal(resumedEntry.status, 'complete');
  assert.equal(resumedEntry.jobId, resumed.jobId);
  assert.deepEqual(resumedEntry.plots, ['accuracy-by-attack']);
  assert.equal(resumedEntry.table?.complete, true);

  // 3. The same request uninterrupted, in a folder of its own: the same table.
  const straight = await service.handlers['jobs.start'](REQUEST);
  await service.jobs.whenIdle();
  const straightJob = service.jobs.list().find((job) => job.jobId === straight.jobId)!;
  assert.equal(straightJob.state, 'completed', straightJob.error ?? '');
  assert.notEqual(straightJob.summary?.evaluationFolder, folder);
  const straightEntry = (await service.handlers['evaluation.list']({})).find((entry) => entry.jobId === straight.jobId)!;
  assert.deepEqual(cellsOf(resumedEntry), cellsOf(straightEntry));
  assert.equal(straightEntry.table!.cells.length, 4);
  assert.ok(straightEntry.table!.cells.every((cell) => cell.total === 16));
  // The newest first.
  assert.deepEqual(
    (await service.handlers['evaluation.list']({})).map((entry) => entry.evaluationId),
    [straightEntry.evaluationId, stopped.evaluationId],
  );

  // 4. The uninterrupted run's time left: "estimating" (null) while a kind of unit still to run was never timed, then measured numbers.
  const etas = (progress.get(straight.jobId) ?? []).flatMap((snapshot) => (snapshot.progress?.stage.startsWith('eval') ? [snapshot.progress.etaSeconds] : []));
  assert.equal(etas[0], null);
  assert.ok(
    etas.some((eta) => typeof eta === 'number' && eta > 0),
    JSON.stringify(etas),
  );
  const firstNumber = etas.findIndex((eta) => eta !== null);
  assert.ok(
    etas.slice(firstNumber).every((eta) => eta !== null),
    'once measured, never back to estimating',
  );
});
