/**
 * The evasion score in a case, on real data: Fashion-MNIST test images, clean and attacked with
 * the repository's own FGSM against the shipped baseline CNN, imported into a real case and
 * purified by `acsr case purify` with a bundle calibrated by `acsr calibrate-evasion` (tiny
 * sizes: see test/evasion/calibrated-case-fixture.ts). Checked: every run stores its score and
 * signals, attacked items score above clean ones on average, the purify audit entry carries the
 * score so `acsr case verify` passes and names an edited score, `case list` filters and sorts by
 * it, and a bundle without a calibration records none and says so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import type { EvasionRecord, PurificationRun } from '../../main/case/records.ts';
import { makeCalibratedBundle, writeTestImages } from '../evasion/calibrated-case-fixture.ts';
import { repoRoot } from '../support/shared-data.ts';
import { makeTempDir, removeTempDir } from './case-fixtures.ts';
import { findClippedText, run } from './pdf-layout-check.ts';

let root: string;
let caseDir: string;
let bundles: { plain: string; calibrated: string };
let cleanNames: Set<string>;
let attackedNames: Set<string>;

function acsr(args: readonly string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: lastLine.startsWith('{') ? JSON.parse(lastLine) : undefined };
}

async function withCase<T>(use: (caseFolder: CaseFolder) => T | Promise<T>): Promise<T> {
  const caseFolder = await CaseFolder.open(caseDir);
  try {
    return await use(caseFolder);
  } finally {
    caseFolder.close();
  }
}

function latestRuns(caseFolder: CaseFolder): Map<string, PurificationRun> {
  return new Map([...caseFolder.db.items()].map((item) => [item.originalName, caseFolder.db.purificationRuns(item.id).at(-1)!]));
}

before(async () => {
  root = await makeTempDir('evasion-case');
  bundles = makeCalibratedBundle(root);
  const images = await writeTestImages(join(root, 'evidence'), 16);
  assert.ok(images.attacked.length >= 4, `${images.attacked.length} successful attacks on 16 test images`);
  cleanNames = new Set(images.clean.map((file) => basename(file)));
  attackedNames = new Set(images.attacked.map((file) => basename(file)));
  caseDir = join(root, 'case');
  const caseFolder = await CaseFolder.create(caseDir, { number: 'E-1', title: 'evasion', examiner: 'alice' });
  try {
    await caseFolder.importEvidence([...images.clean, ...images.attacked], { examiner: 'alice' });
  } finally {
    caseFolder.close();
  }
  const purified = acsr(['case', 'purify', '--case', caseDir, '--all', '--bundle', bundles.calibrated, '--examiner', 'bob', '--json', '--quiet']);
  assert.equal(purified.code, 0, purified.stderr);
});

after(async () => {
  await removeTempDir(root);
});

describe('the evasion score of purified evidence', () => {
  it('is stored with every run of a calibrated bundle, higher on average for attacked items, and its terms add up', async () => {
    const calibration = (await loadReferenceBundle(bundles.calibrated)).manifest.evasionCalibration!;
    await withCase((caseFolder) => {
      const runs = latestRuns(caseFolder);
      assert.equal(runs.size, cleanNames.size + attackedNames.size);
      const scores = (names: Set<string>) => [...names].map((name) => runs.get(name)!.evasion!.score);
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      const clean = scores(cleanNames);
      const attacked = scores(attackedNames);
      assert.ok(mean(attacked) > mean(clean), `mean evasion score attacked ${mean(attacked).toFixed(3)} vs clean ${mean(clean).toFixed(3)}`);
      for (const run of runs.values()) {
        const evasion = run.evasion as EvasionRecord;
        assert.deepEqual(
          evasion.signals.map((signal) => signal.name),
          calibration.signals,
        );
        const logOdds = evasion.bias + evasion.signals.reduce((sum, signal) => sum + signal.contribution, 0);
        assert.ok(Math.abs(1 / (1 + Math.exp(-logOdds)) - evasion.score) < 1e-12);
        assert.equal(evasion.threshold, calibration.threshold);
        assert.equal(evasion.suspected, evasion.score > calibration.threshold);
        assert.equal(evasion.calibration.fittingDataSha256, calibration.data.sha256);
        assert.equal(evasion.calibration.classifier.weightSha256, calibration.model.weightSha256);
        // the run's purify audit entry carries the very score the row holds
        const entry = [...caseFolder.db.auditRows({ subject: `item:${run.itemId}` })].find(
          (row) => row.action === 'purify' && JSON.parse(row.parameters).runId === run.id,
        )!;
        assert.deepEqual(JSON.parse(entry.parameters).evasion, evasion);
      }
    });
    const verified = acsr(['case', 'verify', '--case', caseDir, '--json', '--quiet']);
    assert.equal(verified.code, 0, verified.stderr);
    assert.equal(verified.json.ok, true);
  });

  it('case list filters and sorts by it; case show explains it', async () => {
    const listed = acsr(['case', 'list', '--case', caseDir, '--sort', 'evasion', '--json', '--quiet']);
    assert.equal(listed.code, 0, listed.stderr);
    const items = listed.json.items as { id: number; originalName: string; evasion: { score: number; suspected: boolean } }[];
    const scores = items.map((item) => item.evasion.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    const suspected = items.filter((item) => item.evasion.suspected);
    assert.ok(suspected.length > 0, 'some attacked item lies above the calibrated threshold');
    const caught = (names: Set<string>) => suspected.filter((item) => names.has(item.originalName)).length / names.size;
    assert.ok(caught(attackedNames) > caught(cleanNames), `flagged: ${caught(attackedNames)} of attacked, ${caught(cleanNames)} of clean`);

    const filtered = acsr(['case', 'list', '--case', caseDir, '--suspected-evasion', '--json', '--quiet']);
    assert.equal(filtered.code, 0, filtered.stderr);
    assert.deepEqual(
      (filtered.json.items as { id: number }[]).map((item) => item.id).sort((a, b) => a - b),
      suspected.map((item) => item.id).sort((a, b) => a - b),
    );

    const top = items[0];
    const shown = acsr(['case', 'show', '--case', caseDir, '--item', String(top.id)]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^evasion {5}run \\d+: score ${top.evasion.score.toFixed(3)}, threshold`, 'm'));
    const shownJson = acsr(['case', 'show', '--case', caseDir, '--item', String(top.id), '--json', '--quiet']);
    assert.equal(shownJson.json.purificationRuns.at(-1).evasion.score, top.evasion.score);
  });

  it('a bundle without a calibration records no score and says so', async () => {
    const itemId = await withCase((caseFolder) => [...caseFolder.db.items()][0].id);
    const purified = acsr(['case', 'purify', '--case', caseDir, '--item', String(itemId), '--bundle', bundles.plain, '--examiner', 'bob', '--json']);
    assert.equal(purified.code, 0, purified.stderr);
    assert.match(purified.stderr, /no evasion check for this bundle/);
    assert.equal(purified.json.runs[0].evasion, null);
    await withCase((caseFolder) => {
      const run = caseFolder.db.purificationRuns(itemId).at(-1)!;
      assert.equal(run.evasion, undefined);
      // the audit entry says so explicitly, so verify would name a score added to the row later
      const entry = [...caseFolder.db.auditRows({ subject: `item:${itemId}` })].filter((row) => row.action === 'purify').at(-1)!;
      assert.equal(JSON.parse(entry.parameters).evasion, null);
    });
    const listed = acsr(['case', 'list', '--case', caseDir, '--json', '--quiet']);
    assert.equal((listed.json.items as { id: number; evasion?: unknown }[]).find((item) => item.id === itemId)!.evasion, undefined);
    const shownJson = acsr(['case', 'show', '--case', caseDir, '--item', String(itemId), '--json', '--quiet']);
    assert.equal(shownJson.json.purificationRuns.at(-1).evasion, undefined);
    assert.ok(shownJson.json.purificationRuns.at(0).evasion, 'the earlier run keeps its score');
    assert.equal(acsr(['case', 'verify', '--case', caseDir, '--quiet']).code, 0);
  });

  it('the reports (HTML, PDF, JSON) give each run its evasion check, with the signals behind a score', async () => {
    const { suspectedId, plainId } = await withCase((caseFolder) => {
      const runs = latestRuns(caseFolder);
      const suspectedRun = [...runs.values()].find((run) => run.evasion?.suspected)!;
      const plainRun = [...runs.values()].find((run) => run.evasion === undefined)!;
      return { suspectedId: suspectedRun.itemId, plainId: plainRun.itemId };
    });
    const out = join(root, 'report');
    const made = acsr([
      'case',
      'report',
      '--case',
      caseDir,
      '--examiner',
      'carol',
      '--items',
      String(suspectedId),
      String(plainId),
      '--out',
      `${out}.html`,
      '--out',
      `${out}.json`,
      '--out',
      `${out}.pdf`,
      '--quiet',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const report = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as {
      items: { id: number; purificationRuns: { id: number; evasion?: EvasionRecord }[] }[];
    };
    const runsOf = (itemId: number) => report.items.find((item) => item.id === itemId)!.purificationRuns;
    const suspectedRecord = runsOf(suspectedId).at(-1)!.evasion!;
    assert.equal(suspectedRecord.suspected, true);
    assert.equal(runsOf(plainId).at(-1)!.evasion, undefined, 'a run of the uncalibrated bundle has no evasion section');
    assert.ok(runsOf(plainId)[0].evasion, "the same item's earlier calibrated run keeps its score");

    const html = readFileSync(`${out}.html`, 'utf8');
    assert.match(
      html,
      new RegExp(
        `score ${suspectedRecord.score.toFixed(3)}, threshold ${suspectedRecord.threshold.toFixed(3)} \\(flags about [0-9.]+% of ordinary images\\): SUSPECTED EVASION`,
      ),
    );
    assert.match(html, /data-evasion="none">Evasion check: no evasion check for this bundle/);
    const strongest = [...suspectedRecord.signals].sort((x, y) => y.contribution - x.contribution)[0];
    // the strongest push is listed first, in bold when it counts as having fired
    const strongestCell = strongest.contribution >= 0.5 ? `<strong>${strongest.name}</strong>` : strongest.name;
    const section = html.slice(html.indexOf(`<h4>Purification run ${runsOf(suspectedId).at(-1)!.id} (`));
    const table = section.slice(section.indexOf('<h4>Evasion check: was this image made to fool the filter?</h4>'));
    assert.ok(table.slice(table.indexOf('<tbody>')).startsWith(`<tbody><tr><td>${strongestCell}</td>`), table.slice(0, 600));

    const pdfText = run('pdftotext', ['-layout', `${out}.pdf`, '-']).replace(/\s+/g, ' ');
    assert.match(pdfText, /Evasion check: was this image made to fool the filter\?/);
    assert.match(pdfText, new RegExp(`score ${suspectedRecord.score.toFixed(3)}, threshold ${suspectedRecord.threshold.toFixed(3)}`));
    assert.match(pdfText, /Evasion check: no evasion check for this bundle/);
    const layout = await findClippedText(`${out}.pdf`, await mkdtemp(join(root, 'pdf-')), { margin: 48 });
    assert.deepEqual(layout.problems.slice(0, 10), [], `${layout.problems.length} layout problems`);
  });

  it('verify names a score edited behind the program', async () => {
    const runId = await withCase((caseFolder) => [...latestRuns(caseFolder).values()].find((run) => run.evasion)!.id);
    const db = new Database(join(caseDir, 'case.sqlite'));
    const trigger = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'purification_runs_no_update'`).pluck().get() as string;
    db.exec('DROP TRIGGER purification_runs_no_update');
    const stored = JSON.parse(db.prepare('SELECT evasion FROM purification_runs WHERE id = ?').pluck().get(runId) as string) as EvasionRecord;
    db.prepare('UPDATE purification_runs SET evasion = ? WHERE id = ?').run(JSON.stringify({ ...stored, score: 0.001, suspected: false }), runId);
    db.exec(trigger);
    db.close();
    const verification = await withCase((caseFolder) => caseFolder.verify({ examiner: 'carol' }));
    assert.equal(verification.ok, false);
    assert.deepEqual(verification.problems.map((problem) => problem.reason).filter((reason) => /evasion/.test(reason)).length, 1);
    assert.match(
      verification.problems.map((problem) => problem.reason).join('\n'),
      /the evasion score is .* in purification_runs, but audit entry \d+ recorded .*: the row was edited/,
    );
  });
});
