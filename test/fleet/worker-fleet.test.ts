// The worker fleet with real components: Debian's redis-server on a loopback port, two `acsr
// worker` processes, the workstation's `acsr case purify --queue` as a child process, a real
// case of 40 photo crops and a reference bundle trained for real (small crops and few CBPDN
// iterations, the same locally and on the workers, so that the file runs in a few minutes).
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction } from '../../main/actions/define-action.ts';
import { purifyOnFleetAction } from '../../main/actions/purify-on-fleet-action.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import type { ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { silentProgress } from '../../main/progress/progress.ts';
import { REFUSED_OUTPUT_ACTION } from '../../main/fleet/accept-task-result.ts';
import { SharedArea } from '../../main/fleet/shared-area.ts';
import { makeTempDir, removeTempDir, runAcsr } from '../case/case-fixtures.ts';
import { trainTinyBundle, writePhotoCrop } from '../case/report-fixtures.ts';
import { killStartedProcesses, runAcsrAsync, startAcsr, type AcsrProcess } from './fleet-processes.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';

const PHOTOS = [
  'skimage-chelsea.png',
  'skimage-brick.png',
  'skimage-rocket.jpg',
  'skimage-coffee.png',
  'skimage-astronaut.png',
  'darknet-horses.jpg',
  'darknet-dog.jpg',
  'flower.jpg',
];
/** Crops per photo: 8 photos x 5 = the 40 items of the fleet case. */
const CROPS_PER_PHOTO = 5;
const FLEET_ITEMS = PHOTOS.length * CROPS_PER_PHOTO;
const ITERATIONS = '10';
// short enough that a dead worker's task is taken again within seconds, long enough for a heavily loaded machine
// (load 20 on 2 cores) to renew it, also across a Redis restart
const LOCK_MS = '15000';
const RESTART_ITEMS = 4;
/** A hung queue fails the test instead of hanging the run (the machine may be heavily loaded). */
const TEST_TIMEOUT_MS = 600_000;

let root: string;
let redis: RedisServer;
let bundle: ReferenceBundle;
let shared: string;
let crops: string[];
/** Other crops of the same photos, for the workstation-restart test (new items, so new tasks). */
let moreCrops: string[];
/** Output SHA-256 of a local `acsr case purify`, by the item's SHA-256. */
const localOutputs = new Map<string, string>();
const workers: AcsrProcess[] = [];

async function createCase(name: string, inputs: readonly string[]): Promise<string> {
  const caseFolder = await CaseFolder.create(join(root, name), { number: name, title: `fleet ${name}`, examiner: 'alice' });
  try {
    await caseFolder.importEvidence(inputs, { examiner: 'alice' });
  } finally {
    caseFolder.close();
  }
  return join(root, name);
}

async function startWorker(): Promise<AcsrProcess> {
  const worker = startAcsr(['worker', '--queue', redis.url, '--shared', shared, '--threads', '1', '--lock-ms', LOCK_MS]);
  workers.push(worker);
  await worker.waitFor(/worker ready/);
  return worker;
}

function purifyOnWorkers(caseDir: string) {
  return runAcsrAsync([
    'case',
    'purify',
    '--case',
    caseDir,
    '--all',
    '--bundle',
    bundle.path,
    '--queue',
    redis.url,
    '--shared',
    shared,
    '--max-iterations',
    ITERATIONS,
    '--examiner',
    'wanda',
    '--progress',
    'none',
    '--json',
  ]);
}

async function withCase<T>(caseDir: string, read: (caseFolder: CaseFolder) => Promise<T> | T): Promise<T> {
  const caseFolder = await CaseFolder.open(caseDir);
  try {
    return await read(caseFolder);
  } finally {
    caseFolder.close();
  }
}

before(async () => {
  root = await makeTempDir('fleet');
  shared = join(root, 'shared');
  await mkdir(shared);
  const model = await loadTfImageModel('nsfwjs-mobilenet-v2');
  try {
    bundle = await trainTinyBundle(root, model);
  } finally {
    model.dispose();
  }
  crops = [];
  moreCrops = [];
  for (const [index, photo] of PHOTOS.entries()) {
    for (let variant = 0; variant < CROPS_PER_PHOTO; variant++) {
      const name = variant === 0 ? `crop-${index}.png` : `crop-${index}-${variant}.png`;
      crops.push(await writePhotoCrop(photo, join(root, name), { left: 100 + 10 * index, top: 100 + 12 * variant, size: 64 }));
    }
    if (index < RESTART_ITEMS) moreCrops.push(await writePhotoCrop(photo, join(root, `more-${index}.png`), { left: 120, top: 160 + 10 * index, size: 64 }));
  }

  // The reference: the same items purified locally, the way an examiner without workers does.
  const local = await createCase('local', [...crops, ...moreCrops]);
  // awaited without a time limit: 44 items take minutes on a loaded machine
  const result = await runAcsrAsync([
    'case',
    'purify',
    '--case',
    local,
    '--all',
    '--bundle',
    bundle.path,
    '--max-iterations',
    ITERATIONS,
    '--threads',
    '1',
    '--examiner',
    'lou',
  ]);
  assert.equal(result.code, 0, result.stderr);
  await withCase(local, (caseFolder) => {
    for (const item of caseFolder.db.items()) localOutputs.set(item.sha256, caseFolder.db.purificationRuns(item.id)[0].outputSha256);
  });
  assert.equal(localOutputs.size, FLEET_ITEMS + RESTART_ITEMS);
  // with its append-only file, so that a restart keeps the queue as a production Redis would
  redis = await startRedisServer({ appendOnly: true });
});

after(async () => {
  // workers, and any workstation a failed test left waiting on the queue
  await killStartedProcesses();
  await redis?.stop();
  await removeTempDir(root);
});

/** Items of the case with at least one purification run (read while the workstation writes). */
async function recordedItems(caseDir: string): Promise<number> {
  return withCase(caseDir, (caseFolder) => [...caseFolder.db.items()].filter((item) => caseFolder.db.purificationRuns(item.id).length > 0).length);
}

async function waitForRecorded(caseDir: string, count: number, timeoutMs = 240_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recorded = await recordedItems(caseDir);
    if (recorded >= count) return recorded;
    assert.ok(Date.now() < deadline, `fewer than ${count} items recorded in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('purification on a worker fleet', () => {
  it(
    'two workers purify 40 items, one killed mid-task and Redis restarted once: every item has exactly one run, identical to a local purify, and the case verifies',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const caseDir = await createCase('fleet', crops);
      const doomed = await startWorker();
      const survivor = await startWorker();
      const workstation = purifyOnWorkers(caseDir);

      // The first task a worker takes includes loading its models: it is surely still running here.
      const [, doomedItem] = await doomed.waitFor(/task [0-9a-f]{12}: item ([0-9a-f]{12}), attempt/);
      doomed.child.kill('SIGKILL');
      assert.equal(await doomed.exited, 'SIGKILL');

      // Redis stopped and started again (its append-only file kept) while the run is under way.
      const beforeRestart = await waitForRecorded(caseDir, 5);
      await redis.restart();
      assert.ok(beforeRestart < FLEET_ITEMS, 'the restart came before the end of the run');

      const result = await workstation;
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.lastLine);
      assert.equal(summary.runs.length, FLEET_ITEMS);

      await withCase(caseDir, async (caseFolder) => {
        assert.equal([...caseFolder.db.items()].filter((item) => item.sha256.startsWith(doomedItem)).length, 1, "the killed worker's item is one of the case");
        for (const item of caseFolder.db.items()) {
          const runs = caseFolder.db.purificationRuns(item.id);
          assert.equal(runs.length, 1, `item ${item.id} has exactly one run`);
          assert.equal(runs[0].outputSha256, localOutputs.get(item.sha256), `item ${item.id}: the workers' output is the local one`);
          const fleet = runs[0].parameters.fleet as { worker: string; taskKey: string };
          assert.match(fleet.taskKey, /^[0-9a-f]{64}$/);
          if (item.sha256.startsWith(doomedItem)) {
            assert.equal(fleet.worker, `${hostname()} pid ${survivor.child.pid}`, "the killed worker's task was done by the other one");
          }
        }
        const verification = await caseFolder.verify({ examiner: 'carol' });
        assert.equal(verification.ok, true, verification.firstBrokenLink ?? '');
        assert.equal(verification.outputsChecked, FLEET_ITEMS);
        assert.deepEqual(verification.unrecordedStoreFiles, []);
      });
      assert.doesNotMatch(doomed.stderr(), /: done/, 'the killed worker finished nothing');

      // The same command again: every task is already recorded, nothing is sent or recorded twice.
      const again = await purifyOnWorkers(caseDir);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.lastLine).doneEarlier.length, FLEET_ITEMS);
      await withCase(caseDir, (caseFolder) => {
        for (const item of caseFolder.db.items()) assert.equal(caseFolder.db.purificationRuns(item.id).length, 1);
      });
      const verify = runAcsr(['case', 'verify', '--case', caseDir, '--examiner', 'carol']);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    },
  );

  it('refuses and audits an output altered in the shared area, and records the recomputed one on the next run', { timeout: TEST_TIMEOUT_MS }, async () => {
    const caseDir = await createCase('tampered', crops.slice(0, 2));
    const firstSha = await withCase(caseDir, (caseFolder) => [...caseFolder.db.items()].find((item) => item.originalName === 'crop-0.png')!.sha256);
    // The task was done for the first case: its job and output are in the queue and the shared area.
    const outputPath = new SharedArea(shared).results.pathOf(localOutputs.get(firstSha)!);
    await chmod(outputPath, 0o644);
    const bytes = await readFile(outputPath);
    bytes[bytes.length - 30] ^= 0xff;
    await writeFile(outputPath, bytes);

    const refused = await purifyOnWorkers(caseDir);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /refused: the purified output has SHA-256 [0-9a-f]{64}, the worker reported/);
    await withCase(caseDir, (caseFolder) => {
      const items = [...caseFolder.db.items()];
      const tampered = items.find((item) => item.sha256 === firstSha)!;
      const other = items.find((item) => item.sha256 !== firstSha)!;
      assert.deepEqual(caseFolder.db.purificationRuns(tampered.id), [], 'no run from a tampered output');
      assert.equal(caseFolder.db.purificationRuns(other.id).length, 1, 'the other item is recorded');
      const audit = [...caseFolder.db.auditRows({ subject: `item:${tampered.id}` })].at(-1)!;
      assert.equal(audit.action, REFUSED_OUTPUT_ACTION);
      assert.match(JSON.parse(audit.parameters).reason, /worker reported/);
    });

    // The refused task was taken off the queue: the next run has it computed again, correctly.
    await startWorker();
    const redone = await purifyOnWorkers(caseDir);
    assert.equal(redone.code, 0, redone.stderr);
    await withCase(caseDir, async (caseFolder) => {
      for (const item of caseFolder.db.items()) {
        const runs = caseFolder.db.purificationRuns(item.id);
        assert.equal(runs.length, 1);
        assert.equal(runs[0].outputSha256, localOutputs.get(item.sha256));
      }
      assert.equal((await caseFolder.verify({ examiner: 'carol' })).ok, true);
    });
  });

  it(
    'the workstation killed mid-run: its stopped case job is carried on on the queue, re-attaching to its tasks, each item recorded once',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const caseDir = await createCase('restart', moreCrops);
      const firstWorkstation = startAcsr([
        'case',
        'purify',
        '--case',
        caseDir,
        '--all',
        '--bundle',
        bundle.path,
        '--queue',
        redis.url,
        '--shared',
        shared,
        '--max-iterations',
        ITERATIONS,
        '--examiner',
        'wanda',
        '--progress',
        'none',
      ]);
      const recordedBefore = await waitForRecorded(caseDir, 1);
      firstWorkstation.child.kill('SIGKILL');
      await firstWorkstation.exited;
      assert.ok(recordedBefore < RESTART_ITEMS, 'the workstation was killed before the end of the run');

      // What the app's Resume does after a restart: the stopped job, on the queue, under its own case job.
      const caseJobId = await withCase(caseDir, (caseFolder) => {
        const [job] = caseFolder.db.jobs({ kind: 'purify' });
        assert.equal(job.state, 'interrupted');
        return job.id;
      });
      const resumed = await runAction(
        purifyOnFleetAction,
        { caseFolder: caseDir, examiner: 'wanda', queue: redis.url, shared, resumeCaseJobId: caseJobId },
        { progress: silentProgress, signal: new AbortController().signal, note: () => {} },
      );
      assert.equal(resumed.jobId, caseJobId);
      assert.deepEqual([resumed.refused, resumed.failed], [[], []]);
      await withCase(caseDir, async (caseFolder) => {
        assert.equal(caseFolder.db.getJob(caseJobId).state, 'completed');
        assert.deepEqual(
          caseFolder.db.jobs({ kind: 'purify' }).map((job) => job.id),
          [caseJobId],
          'no second case job',
        );
        for (const item of caseFolder.db.items()) {
          const runs = caseFolder.db.purificationRuns(item.id);
          assert.equal(runs.length, 1, `item ${item.id} has exactly one run`);
          assert.equal(runs[0].jobId, caseJobId);
          assert.equal(runs[0].outputSha256, localOutputs.get(item.sha256));
        }
        assert.equal((await caseFolder.verify({ examiner: 'carol' })).ok, true);
      });
    },
  );

  it('a worker stops on SIGTERM and exits 0', async () => {
    const worker = workers.find((candidate) => candidate.child.exitCode === null && candidate.child.signalCode === null)!;
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.stderr());
    assert.match(worker.stdout(), /worker stopped after \d+ tasks?/);
  });
});
