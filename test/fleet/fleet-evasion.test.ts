/**
 * The evasion score and the content filter's verdicts of items purified on workers: with a
 * calibrated bundle and --classifier, the workstation scores each returned output as a local
 * `acsr case purify` scores its own, so a case purified on the fleet can be sorted and filtered
 * for suspected evasion and by verdict like any other. Real components:
 * Debian's redis-server, one `acsr worker` process, a bundle calibrated by `acsr calibrate-evasion`
 * and Fashion-MNIST test images, clean and attacked (test/evasion/calibrated-case-fixture.ts).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import type { EvasionRecord, Verdict } from '../../main/case/records.ts';
import { makeTempDir, removeTempDir, runAcsr } from '../case/case-fixtures.ts';
import { makeCalibratedBundle, writeTestImages } from '../evasion/calibrated-case-fixture.ts';
import { killStartedProcesses, runAcsrAsync, startAcsr } from './fleet-processes.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';

/**
 * The fleet's score is computed from the returned 8-bit PNG, a local run's from its floating-point
 * purified image: the two differ by that rounding alone (at most half a grey level per pixel),
 * which moves the score by far less than this (measured: at most 0.004 on these images).
 */
const SCORE_TOLERANCE = 0.02;

let root: string;
let redis: RedisServer;
let localCase: string;
let fleetCase: string;

async function evasionBySha(caseDir: string): Promise<Map<string, EvasionRecord | null>> {
  const caseFolder = await CaseFolder.open(caseDir);
  try {
    return new Map([...caseFolder.db.items()].map((item) => [item.sha256, caseFolder.db.purificationRuns(item.id).at(-1)?.evasion ?? null]));
  } finally {
    caseFolder.close();
  }
}

/** Per item (by SHA-256): the verdicts recorded with its latest run, as 'stage' -> class probabilities. */
async function verdictsBySha(caseDir: string): Promise<Map<string, Map<string, Verdict>>> {
  const caseFolder = await CaseFolder.open(caseDir);
  try {
    return new Map(
      [...caseFolder.db.items()].map((item) => {
        const run = caseFolder.db.purificationRuns(item.id).at(-1);
        const verdicts = caseFolder.db.verdicts(item.id).filter((verdict) => run !== undefined && verdict.purificationRunId === run.id);
        return [item.sha256, new Map(verdicts.map((verdict) => [verdict.stage, verdict]))];
      }),
    );
  } finally {
    caseFolder.close();
  }
}

const FILTER = 'fmnist-baseline-cnn-b25dc5da0ce9';

before(async () => {
  root = await makeTempDir('fleet-evasion');
  const { calibrated } = makeCalibratedBundle(root);
  const images = await writeTestImages(join(root, 'evidence'), 6);
  const inputs = [...images.clean, ...images.attacked];
  for (const name of ['local', 'fleet']) {
    const caseFolder = await CaseFolder.create(join(root, name), { number: name, title: `evasion ${name}`, examiner: 'alice' });
    try {
      await caseFolder.importEvidence(inputs, { examiner: 'alice' });
    } finally {
      caseFolder.close();
    }
  }
  localCase = join(root, 'local');
  fleetCase = join(root, 'fleet');
  // the same purify command for both cases; the fleet's adds the queue and the shared folder
  const purify = (caseDir: string) => ['case', 'purify', '--case', caseDir, '--all', '--bundle', calibrated, '--classifier', FILTER, '--examiner', 'bob'];
  const local = runAcsr([...purify(localCase), '--json', '--quiet']);
  assert.equal(local.code, 0, local.stderr);

  redis = await startRedisServer();
  const shared = join(root, 'shared');
  await mkdir(shared);
  const worker = startAcsr(['worker', '--queue', redis.url, '--shared', shared, '--threads', '1']);
  await worker.waitFor(/worker ready/);
  const fleet = await runAcsrAsync([...purify(fleetCase), '--queue', redis.url, '--shared', shared, '--json', '--quiet']);
  assert.equal(fleet.code, 0, fleet.stderr);
});

after(async () => {
  await killStartedProcesses();
  await redis?.stop();
  await removeTempDir(root);
});

describe('the evasion score of items purified on workers', () => {
  it('is recorded for every item, with the same verdict and signals as a local run and a score within the stated tolerance', async () => {
    const local = await evasionBySha(localCase);
    const fleet = await evasionBySha(fleetCase);
    assert.equal(fleet.size, local.size);
    for (const [sha256, expected] of local) {
      const got = fleet.get(sha256);
      assert.ok(expected && got, `item ${sha256.slice(0, 12)}: local ${JSON.stringify(expected)}, fleet ${JSON.stringify(got)}`);
      assert.ok(Math.abs(got.score - expected.score) <= SCORE_TOLERANCE, `item ${sha256.slice(0, 12)}: score ${got.score} vs local ${expected.score}`);
      assert.equal(got.suspected, expected.suspected);
      assert.equal(got.threshold, expected.threshold);
      assert.deepEqual(
        got.signals.map((signal) => signal.name),
        expected.signals.map((signal) => signal.name),
      );
      assert.deepEqual(got.calibration, expected.calibration);
    }
  });

  it("records the content filter's verdicts before and after with every run, the same as a local run's", async () => {
    const local = await verdictsBySha(localCase);
    const fleet = await verdictsBySha(fleetCase);
    for (const [sha256, expected] of local) {
      const got = fleet.get(sha256)!;
      assert.deepEqual([...got.keys()].sort(), ['after', 'before'], `item ${sha256.slice(0, 12)}`);
      for (const stage of ['before', 'after']) {
        const [mine, theirs] = [got.get(stage)!, expected.get(stage)!];
        assert.equal(mine.modelId, FILTER);
        assert.equal(mine.modelWeightsSha256, theirs.modelWeightsSha256);
        assert.equal(mine.topClass, theirs.topClass, `item ${sha256.slice(0, 12)} ${stage}`);
        // the same evidence and the same output PNG (the fleet test pins equal output SHA-256) through the same model
        for (const [name, probability] of Object.entries(theirs.scores)) assert.ok(Math.abs(mine.scores[name] - probability) < 1e-6, `${stage} ${name}`);
      }
    }
  });

  it('the case verifies, and the CLI lists the fleet case by evasion score', () => {
    const verified = runAcsr(['case', 'verify', '--case', fleetCase, '--json', '--quiet']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    const listed = runAcsr(['case', 'list', '--case', fleetCase, '--sort', 'evasion', '--json', '--quiet']);
    assert.equal(listed.code, 0, listed.stderr);
    const items = (JSON.parse(listed.lastLine) as { items: { evasion: { score: number } | null }[] }).items;
    assert.ok(items.length > 0 && items.every((item) => item.evasion !== null), listed.lastLine);
    const scores = items.map((item) => item.evasion!.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });
});
