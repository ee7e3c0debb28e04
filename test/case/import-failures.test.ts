// The files an import could not take in, listed with a plain reason: from real bad files (a text
// file renamed .jpg, a truncated JPEG of a shared photo, a text file, a decompression bomb), by the case module, in the import job's summary, and in `acsr case show --json`; the
// case still verifies.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importEvidenceAction } from '../../main/actions/import-evidence-action.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { importFailures, plainImportReason } from '../../main/case/import-failures.ts';
import { copyPhotos, decompressionBombPng, makeTempDir, photosDir, removeTempDir, runAcsr } from './case-fixtures.ts';

let root: string;
let evidence: string;

before(async () => {
  root = await makeTempDir('import-failures');
  evidence = join(root, 'evidence');
  await copyPhotos(evidence, ['flower.jpg', 'skimage-camera.png']);
  await writeFile(join(evidence, 'holiday.jpg'), 'Dear investigator,\nthis is a letter, not a photograph.\n');
  const china = await readFile(join(photosDir, 'china.jpg'));
  await writeFile(join(evidence, 'china-truncated.jpg'), china.subarray(0, Math.floor(china.length / 2)));
  await writeFile(join(evidence, 'notes.txt'), 'case notes\n');
});
after(async () => {
  await removeTempDir(root);
});

const EXPECTED_REASONS = {
  'china-truncated.jpg': 'damaged or truncated image',
  'holiday.jpg': 'not an image',
  'notes.txt': 'not an image type this tool imports',
};

describe('files not imported', () => {
  it('are listed by file with a plain reason and the recorded detail, and in the job summary', async () => {
    const caseFolder = await CaseFolder.create(join(root, 'case-module'), { number: 'F-1', title: 'bad files', examiner: 'alice' });
    try {
      const summary = await caseFolder.importEvidence([evidence], { examiner: 'alice' });
      assert.deepEqual([summary.imported, summary.errors], [2, 3]);
      const failures = importFailures(caseFolder.db);
      assert.deepEqual(
        failures.map((failure) => [failure.file, failure.reason, failure.caseJobId]),
        Object.entries(EXPECTED_REASONS).map(([name, reason]) => [join(evidence, name), reason, summary.jobId]),
      );
      // The detail keeps the specifics for whoever wants them.
      assert.match(failures[0].detail, /china-truncated\.jpg: image file is truncated or damaged/);
      assert.match(failures[1].detail, /holiday\.jpg: not a recognised image file/);

      const jobSummary = importEvidenceAction.summary({ ...summary, hashListMatches: null });
      assert.deepEqual(
        jobSummary.failures,
        Object.entries(EXPECTED_REASONS).map(([name, reason]) => ({ file: join(evidence, name), reason })),
      );

      // One row per file, with its latest outcome: a file refused again shows the later refusal,
      // and one imported later (here: a readable photo put in place of the text file) is gone.
      const again = await caseFolder.importEvidence([join(evidence, 'holiday.jpg')], { examiner: 'alice' });
      assert.deepEqual(
        importFailures(caseFolder.db).map((failure) => [failure.file, failure.caseJobId]),
        [
          [join(evidence, 'china-truncated.jpg'), summary.jobId],
          [join(evidence, 'notes.txt'), summary.jobId],
          [join(evidence, 'holiday.jpg'), again.jobId],
        ],
      );
      await copyFile(join(photosDir, 'darknet-dog.jpg'), join(evidence, 'holiday.jpg'));
      const fixed = await caseFolder.importEvidence([join(evidence, 'holiday.jpg')], { examiner: 'alice' });
      assert.equal(fixed.imported, 1);
      assert.deepEqual(
        importFailures(caseFolder.db).map((failure) => failure.file),
        [join(evidence, 'china-truncated.jpg'), join(evidence, 'notes.txt')],
      );
      await writeFile(join(evidence, 'holiday.jpg'), 'Dear investigator,\nthis is a letter, not a photograph.\n');
      // Every failure is an outcome chained in the audit log: the case verifies.
      const verified = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(verified.ok, true, verified.firstBrokenLink ?? '');
    } finally {
      caseFolder.close();
    }
  });

  it('are in `acsr case show --json` and its text', () => {
    const caseDir = join(root, 'case-cli');
    assert.equal(runAcsr(['case', 'create', '--case', caseDir, '--number', 'F-2', '--title', 'bad files', '--examiner', 'alice']).code, 0);
    // A real decompression bomb beside the folder: 40,000 x 40,000 pixels in a few hundred kilobytes.
    const bomb = join(root, 'bomb.png');
    writeFileSync(bomb, decompressionBombPng(40_000, 40_000));
    const imported = runAcsr(['case', 'import', '--case', caseDir, '--in', evidence, bomb, '--examiner', 'alice']);
    assert.equal(imported.code, 0, imported.stderr);

    const shown = runAcsr(['case', 'show', '--case', caseDir, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const failures = (JSON.parse(shown.lastLine) as { importFailures: { file: string; reason: string; detail: string; caseJobId: number }[] }).importFailures;
    assert.deepEqual(
      failures.map((failure) => [failure.file, failure.reason]),
      [
        [bomb, 'too many pixels'],
        [join(evidence, 'china-truncated.jpg'), 'damaged or truncated image'],
        [join(evidence, 'holiday.jpg'), 'not an image'],
        [join(evidence, 'notes.txt'), 'not an image type this tool imports'],
      ],
    );
    assert.match(shown.stdout, new RegExp(`not imported  ${join(evidence, 'holiday.jpg')}: not an image \\(import 1\\)`));
  });

  it('read as "unreadable" when a kind is not known to this version', () => {
    assert.equal(plainImportReason('some-future-kind'), 'unreadable');
    assert.equal(plainImportReason(null), 'unreadable');
    assert.equal(plainImportReason('too-large'), 'file too large');
    assert.equal(plainImportReason('read-error'), 'unreadable');
  });
});
