/**
 * The evasion score of items purified on workers: with a calibrated bundle, the workstation
 * scores each returned output as a local `acsr case purify` scores its own, so a case purified on
 * the fleet can be sorted and filtered for suspected evasion like any other. Real components:
 * Debian's redis-server, one `acsr worker` process, a bundle calibrated by `acsr calibrate-evasion`
 * and Fashion-MNIST test images, clean and attacked (test/evasion/calibrated-case-fixture.ts).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import type { EvasionRecord } from '../../main/case/records.ts';
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
  const local = runAcsr(['case', 'purify', '--case', localCase, '--all', '--bundle', calibrated, '--examiner', 'bob', '--json', '--quiet']);
  assert.equal(local.code, 0, local.stderr);

  redis = await startRedisServer();
  const shared = join(root, 'shared');
  await mkdir(shared);
  const worker = startAcsr(['worker', '--queue', redis.url, '--shared', shared, '--threads', '1']);
  await worker.waitFor(/worker ready/);
  const fleet = await runAcsrAsync([
    'case',
    'purify',
    '--case',
    fleetCase,
    '--all',
    '--bundle',
    calibrated,
    '--examiner',
    'bob',
    '--queue',
    redis.url,
    '--shared',
    shared,
    '--json',
    '--quiet',
  ]);
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
