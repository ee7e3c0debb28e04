/**
 * The report action through `acsr case report` and through the job runner, on one real case
 * (real photos, a tag, a note): both write a report of the same content for the same scope and
 * record it in the case, verified; only the report's own id, time and the audit log it has seen
 * (the other's entries) differ.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import type { CaseReport } from '../../main/case/report/report-model.ts';
import { makeTempDir, photosDir, removeTempDir } from '../case/case-fixtures.ts';
import { acsrInProcess, runAsJob } from './action-fixtures.ts';

let root: string;
let caseDir: string;

before(async () => {
  root = await makeTempDir('report-action');
  await mkdir(join(root, 'photos'));
  for (const name of ['skimage-brick.png', 'skimage-rocket.jpg', 'darknet-person.jpg']) await copyFile(join(photosDir, name), join(root, 'photos', name));
  caseDir = join(root, 'case');
  const created = await CaseFolder.create(caseDir, { number: 'R-1', title: 'report', examiner: 'alice' });
  await created.importEvidence([join(root, 'photos')], { examiner: 'alice' });
  created.db.addTag({ itemId: 1, category: 'CAT-0', examiner: 'alice' });
  created.db.addNote({ itemId: 2, text: 'seen on the seized phone', examiner: 'alice' });
  created.close();
});

after(async () => {
  await removeTempDir(root);
});

/** What a report says about the case, less what belongs to the moment it was written (its id, time, the audit log so far, when each file was re-hashed). */
function contentOf(report: CaseReport) {
  const { scope, thumbnails, examiner, summary, bundles, models, case: caseRecord } = report;
  const items = report.items.map(({ integrity: { checkedAt: _checkedAt, ...integrity }, ...item }) => ({ ...item, integrity }));
  return { scope, thumbnails, examiner, summary, bundles, models, items, case: caseRecord, verified: report.verification.ok };
}

test('acsr case report and the report job write and record the same report', { timeout: 120_000 }, async () => {
  const cli = await acsrInProcess(['case', 'report', '--case', caseDir, '--format', 'json', '--items', '1', '2', '--examiner', 'bob']);
  assert.equal(cli.code, 0, cli.stderr);
  const job = await runAsJob('report', { caseFolder: caseDir, examiner: 'bob', targets: [{ format: 'json' }], scope: { itemIds: [1, 2] } });
  assert.equal(job.state, 'completed', job.error ?? '');

  const [cliReport] = cli.summary.reports as { path: string; sha256: string }[];
  const [jobReport] = job.summary?.reports as { path: string; sha256: string }[];
  assert.notEqual(jobReport.path, cliReport.path);
  const read = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as CaseReport;
  const [byCli, byJob] = [await read(cliReport.path), await read(jobReport.path)];
  assert.deepEqual(byCli.scope, { kind: 'items', itemIds: [1, 2], description: byCli.scope.description });
  assert.equal(byCli.items.length, 2);
  assert.deepEqual(contentOf(byJob), contentOf(byCli));

  const opened = await CaseFolder.open(caseDir);
  try {
    const records = opened.db.reports();
    assert.deepEqual(
      records.map((record) => [record.format, record.examiner, record.sha256]),
      [
        ['json', 'bob', cliReport.sha256],
        ['json', 'bob', jobReport.sha256],
      ],
    );
  } finally {
    opened.close();
  }
  assert.deepEqual([job.summary?.verificationOk, job.summary?.reportId], [cli.summary.verificationOk, byJob.reportId]);
});
