// `acsr case purify` on a real case: real photo crops imported, a reference bundle trained for
// real on nsfwjs MobileNetV2 latents, real CBPDN (few iterations), real SQLite and store.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { writeTunedBundle } from '../../main/acsr/tuning/tuned-bundle.ts';
import { checkAuditChain } from '../../main/case/audit-chain.ts';
import { CaseFolder, EvidenceIntegrityError } from '../../main/case/case-folder.ts';
import { purifyEvidence } from '../../main/case/purify-evidence.ts';
import type { EvidenceItem } from '../../main/case/records.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { decodeImage } from '../../main/io/image.ts';
import { computePdqOfFile, pdqHammingDistance } from '../../main/pdq/pdq.ts';
import { makeTempDir, removeTempDir, runAcsr, spawnAcsr } from './case-fixtures.ts';
import { FAST_PURIFICATION, trainTinyBundle, writePhotoCrop } from './report-fixtures.ts';

let root: string;
let caseFolder: CaseFolder;
let model: TfImageModel;
let bundle: ReferenceBundle;
let cat: EvidenceItem;
let brick: EvidenceItem;
let rocket: EvidenceItem;

before(async () => {
  root = await makeTempDir('purify');
  model = await loadTfImageModel('nsfwjs-mobilenet-v2');
  bundle = await trainTinyBundle(root, model);
  const inputs = [
    await writePhotoCrop('skimage-chelsea.png', join(root, 'cat-crop.png'), { left: 150, top: 60, size: 64 }),
    await writePhotoCrop('skimage-brick.png', join(root, 'brick-crop.png'), { left: 100, top: 100, size: 64 }),
    await writePhotoCrop('skimage-rocket.jpg', join(root, 'rocket-crop.png'), { left: 120, top: 150, size: 64 }),
  ];
  caseFolder = await CaseFolder.create(join(root, 'case'), { number: 'P-1', title: 'purify', examiner: 'alice' });
  await caseFolder.importEvidence(inputs, { examiner: 'alice' });
  [cat, brick, rocket] = ['cat-crop.png', 'brick-crop.png', 'rocket-crop.png'].map((name) =>
    [...caseFolder.db.items()].find((item) => item.originalName === name)!,
  );
});

after(async () => {
  caseFolder?.close();
  model?.dispose();
  await removeTempDir(root);
});

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function fileState(path: string) {
  const info = await stat(path);
  return { sha256: sha256Of(await readFile(path)), mtimeMs: info.mtimeMs, mode: info.mode & 0o777, size: info.size };
}

function softmax(row: Float32Array): number[] {
  const max = Math.max(...row);
  const exps = Array.from(row, (value) => Math.exp(value - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

describe('acsr case purify', () => {
  it('stores the purified output read-only in the case and records the run and verdicts, leaving the evidence untouched', async () => {
    const evidencePath = caseFolder.store.absolutePath(cat.storePath);
    const evidenceBefore = await fileState(evidencePath);
    const summary = await purifyEvidence(caseFolder, {
      itemIds: [cat.id],
      bundle,
      extractor: model,
      classifier: model,
      examiner: 'bob',
      options: FAST_PURIFICATION,
    });

    assert.deepEqual(await fileState(evidencePath), evidenceBefore, 'the evidence file must not change in any way');
    assert.equal(evidenceBefore.sha256, cat.sha256);

    const [run] = caseFolder.db.purificationRuns(cat.id);
    assert.equal(caseFolder.db.purificationRuns(cat.id).length, 1);
    assert.deepEqual(
      summary.items.map((item) => item.run.id),
      [run.id],
    );
    const outputPath = caseFolder.store.absolutePath(run.outputStorePath!);
    const output = await fileState(outputPath);
    assert.equal(output.sha256, run.outputSha256);
    assert.equal(run.outputStorePath, caseFolder.store.relativePathOf(run.outputSha256), 'content-addressed like evidence');
    assert.equal(output.mode, 0o444, 'stored read-only');
    assert.notEqual(run.outputSha256, cat.sha256, 'purification changed the picture');
    const decoded = await decodeImage(await readFile(outputPath));
    assert.deepEqual([decoded.sourceFormat, decoded.width, decoded.height], ['png', cat.width, cat.height]);

    // PDQ of the stored output, recomputed from the file, and its distance to the evidence's.
    const outputPdq = await computePdqOfFile(outputPath);
    assert.deepEqual([run.outputPdqHash, run.outputPdqQuality], [outputPdq.hash, outputPdq.quality]);
    assert.equal(run.pdqDistance, pdqHammingDistance(cat.pdqHash, outputPdq.hash));
    assert.ok(run.pdqDistance < 128, `a purified crop should stay near its input in PDQ (distance ${run.pdqDistance})`);

    // Bundle identity, every distance, the nearest cluster chosen, parameters and timings.
    assert.equal(run.bundleManifestSha256, sha256Of(await readFile(join(bundle.path, 'manifest.json'))));
    assert.equal(run.bundleManifestSha256, bundle.manifestSha256);
    assert.equal(run.clusterDistances.length, bundle.clusters.length);
    assert.equal(run.chosenCluster, run.clusterDistances.indexOf(Math.min(...run.clusterDistances)));
    assert.equal(run.override, null);
    assert.deepEqual(
      run.parameters.clusterIds,
      bundle.clusters.map((cluster) => cluster.id),
    );
    assert.equal(run.parameters.maxIterations, FAST_PURIFICATION.maxIterations);
    assert.equal(run.seed, bundle.manifest.parameters.seed);
    assert.match(run.backend, /extractor: tfjs .*CBPDN: float32, \d worker threads?, (WASM SIMD|JS) kernels/);
    assert.ok(summary.imagesPerMinute > 0, 'the job reports its rate');
    for (const stage of ['tikhonov', 'latent', 'sparseCoding', 'total']) assert.ok(run.timingsMs[stage] >= 0, stage);
    assert.equal(run.jobId, summary.jobId);
    assert.equal(caseFolder.db.getJob(summary.jobId).state, 'completed');

    // Verdicts before (the evidence) and after (the output), each the model's own probabilities.
    const verdicts = caseFolder.db.verdicts(cat.id);
    assert.deepEqual(
      verdicts.map((v) => [v.stage, v.purificationRunId, v.modelId, v.modelWeightsSha256]),
      [
        ['before', run.id, 'nsfwjs-mobilenet-v2', model.identity.weightSha256],
        ['after', run.id, 'nsfwjs-mobilenet-v2', model.identity.weightSha256],
      ],
    );
    const [evidenceScores] = await model.scores([await decodeImage(await readFile(evidencePath), { channels: 'rgb' })]);
    const [outputScores] = await model.scores([await decodeImage(await readFile(outputPath), { channels: 'rgb' })]);
    for (const [verdict, row] of [
      [verdicts[0], evidenceScores],
      [verdicts[1], outputScores],
    ] as const) {
      const expected = softmax(row);
      model.classNames.forEach((name, index) => assert.ok(Math.abs(verdict.scores[name] - expected[index]) < 1e-6, `${verdict.stage} ${name}`));
      assert.equal(verdict.topClass, model.classNames[expected.indexOf(Math.max(...expected))]);
    }

    const actions = [...caseFolder.db.auditRows({ subject: `item:${cat.id}` })].map((row) => row.action);
    assert.deepEqual(actions.slice(-3), ['purify', 'classify', 'classify']);
  });

  it('records an override with the examiner and the reason; the audit chain and every stored file verify afterwards', async () => {
    const [first] = caseFolder.db.purificationRuns(cat.id);
    const otherIndex = first.chosenCluster === 0 ? 1 : 0;
    const otherId = bundle.clusters[otherIndex].id;
    await purifyEvidence(caseFolder, {
      itemIds: [cat.id],
      bundle,
      extractor: model,
      examiner: 'bob',
      options: FAST_PURIFICATION,
      override: { cluster: otherId, reason: 'the latent is dominated by the background texture' },
    });
    const run = caseFolder.db.purificationRuns(cat.id).at(-1)!;
    assert.equal(run.chosenCluster, first.chosenCluster, 'the nearest cluster is still recorded as the one chosen by distance');
    assert.deepEqual(run.override, { cluster: otherIndex, examiner: 'bob', reason: 'the latent is dominated by the background texture' });
    assert.equal(run.parameters.usedClusterId, otherId);
    assert.deepEqual(run.clusterDistances, first.clusterDistances, 'the same input has the same distances');
    assert.notEqual(run.outputSha256, first.outputSha256, 'another dictionary gives another output');

    const override = [...caseFolder.db.auditRows({ subject: `item:${cat.id}` })].find((row) => row.action === 'override')!;
    assert.equal(override.examiner, 'bob');
    assert.deepEqual(JSON.parse(override.parameters), {
      runId: run.id,
      chosenCluster: first.chosenCluster,
      usedCluster: otherIndex,
      reason: 'the latent is dominated by the background texture',
    });

    await assert.rejects(
      purifyEvidence(caseFolder, {
        itemIds: [cat.id],
        bundle,
        extractor: model,
        examiner: 'bob',
        options: FAST_PURIFICATION,
        override: { cluster: otherId, reason: '  ' },
      }),
      UserInputError,
    );
    await assert.rejects(
      purifyEvidence(caseFolder, {
        itemIds: [cat.id],
        bundle,
        extractor: model,
        examiner: 'bob',
        options: FAST_PURIFICATION,
        override: { cluster: 'no-such:9', reason: 'x' },
      }),
      UserInputError,
    );

    assert.equal(checkAuditChain(caseFolder.db.auditRows()).broken, null);
    const verification = await caseFolder.verify({ examiner: 'carol' });
    assert.equal(verification.ok, true, verification.firstBrokenLink ?? '');
    assert.equal(verification.outputsChecked, 2);
    assert.deepEqual(verification.unrecordedStoreFiles, []);
  });

  it('refuses evidence that no longer matches its hash: no run, the failure in the audit log, the job failed', async () => {
    const path = caseFolder.store.absolutePath(brick.storePath);
    await chmod(path, 0o644);
    const bytes = await readFile(path);
    bytes[bytes.length - 20] ^= 0xff;
    await writeFile(path, bytes);
    await assert.rejects(
      purifyEvidence(caseFolder, { itemIds: [brick.id], bundle, extractor: model, examiner: 'bob', options: FAST_PURIFICATION }),
      EvidenceIntegrityError,
    );
    assert.deepEqual(caseFolder.db.purificationRuns(brick.id), []);
    const entries = [...caseFolder.db.auditRows({ subject: `item:${brick.id}` })];
    assert.equal(entries.at(-1)!.action, 'integrity-failure');
    const job = caseFolder.db.jobs({ kind: 'purify' }).at(-1)!;
    assert.equal(job.state, 'failed');
    assert.match(job.error ?? '', /altered/);
    assert.equal(checkAuditChain(caseFolder.db.auditRows()).broken, null, 'the chain itself still holds');
  });

  it('works from the command line, and refuses an override without a reason', () => {
    const common = ['case', 'purify', '--case', caseFolder.folder, '--bundle', bundle.path, '--examiner', 'dave', '--max-iterations', '10', '--threads', '1'];
    const noReason = runAcsr([...common, '--item', String(rocket.id), '--cluster', bundle.clusters[0].id]);
    assert.equal(noReason.code, 2, noReason.stderr);
    assert.match(noReason.stderr, /--reason/);

    const result = runAcsr([...common, '--item', String(rocket.id), '--classifier', 'nsfwjs-mobilenet-v2', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.lastLine);
    assert.equal(summary.ok, true);
    const runs = caseFolder.db.purificationRuns(rocket.id);
    assert.equal(runs.length, 1);
    assert.deepEqual(
      summary.runs.map((r: { runId: number; outputSha256: string }) => [r.runId, r.outputSha256]),
      [[runs[0].id, runs[0].outputSha256]],
    );
    assert.deepEqual(
      caseFolder.db.verdicts(rocket.id).map((v) => v.stage),
      ['before', 'after'],
    );
  });

  it('a purify killed mid-run leaves a clean case: the job is marked interrupted, the chain verifies, --resume finishes the rest', async () => {
    const inputs = [
      await writePhotoCrop('skimage-coffee.png', join(root, 'kill-1.png'), { left: 200, top: 100, size: 64 }),
      await writePhotoCrop('skimage-astronaut.png', join(root, 'kill-2.png'), { left: 150, top: 50, size: 128 }),
      await writePhotoCrop('darknet-horses.jpg', join(root, 'kill-3.png'), { left: 100, top: 100, size: 128 }),
    ];
    const killed = await CaseFolder.create(join(root, 'case-kill'), { number: 'P-2', title: 'killed purify', examiner: 'alice' });
    try {
      await killed.importEvidence(inputs, { examiner: 'alice' });
      const ids = [...killed.db.items()].map((item) => item.id);
      const child = spawnAcsr([
        'case',
        'purify',
        '--case',
        killed.folder,
        '--all',
        '--bundle',
        bundle.path,
        '--examiner',
        'eve',
        '--max-iterations',
        '10',
        '--threads',
        '1',
      ]);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const deadline = Date.now() + 60_000;
      while (killed.db.purificationRuns(ids[0]).length === 0) {
        assert.ok(Date.now() < deadline, 'the child never recorded its first run');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      child.kill('SIGKILL');
      await exited;
      assert.deepEqual(
        ids.map((id) => killed.db.purificationRuns(id).length),
        [1, 0, 0],
        'killed during the second item',
      );
    } finally {
      killed.close();
    }

    const reopened = await CaseFolder.open(join(root, 'case-kill'));
    try {
      const [job] = reopened.interruptedOnOpen;
      assert.deepEqual([job?.kind, job?.state], ['purify', 'interrupted']);
      const verification = await reopened.verify({ examiner: 'carol' });
      assert.equal(verification.ok, true, verification.firstBrokenLink ?? '');
      assert.equal(verification.outputsChecked, 1);
      // A purified PNG (and its four parts) of the interrupted item may be in the store without a record: harmless, reported.
      assert.ok(verification.unrecordedStoreFiles.length <= 5);
    } finally {
      reopened.close();
    }

    const result = runAcsr(['case', 'purify', '--case', join(root, 'case-kill'), '--resume', '--examiner', 'eve', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.lastLine);
    assert.equal(summary.resumed, true);
    const finished = await CaseFolder.open(join(root, 'case-kill'));
    try {
      const ids = [...finished.db.items()].map((item) => item.id);
      assert.deepEqual(summary.doneEarlier, [ids[0]]);
      assert.deepEqual(
        summary.runs.map((run: { itemId: number }) => run.itemId),
        ids.slice(1),
      );
      for (const id of ids)
        assert.deepEqual(
          finished.db.purificationRuns(id).map((run) => run.jobId),
          [summary.jobId],
          `item ${id}: one run, of the resumed job`,
        );
      assert.equal(finished.db.getJob(summary.jobId).state, 'completed');
      assert.equal((await finished.verify({ examiner: 'carol' })).ok, true);
    } finally {
      finished.close();
    }
  });
  it("uses a tuned bundle's purification defaults, records where each value came from, and lets the investigator's option win", async () => {
    const tunedPath = join(root, 'tuned-bundle');
    await writeTunedBundle(bundle, tunedPath, '{"kind":"test sweep"}\n', {
      tikhonovLambda: 3,
      cscLambda: 0.2,
      maxIterations: 9,
      tuning: {
        validationSha256: 'a'.repeat(64),
        sourceBundleManifestSha256: bundle.manifestSha256,
        objective: 'test',
        rule: 'test',
        images: 1,
        attacks: ['fgsm-dis:0.08'],
        maxCleanDrop: 1,
      },
    } as Parameters<typeof writeTunedBundle>[3]);
    const tuned = await loadReferenceBundle(tunedPath);
    await purifyEvidence(caseFolder, { itemIds: [cat.id], bundle: tuned, extractor: model, examiner: 'bob', options: { threads: 1, cscLambda: 0.15 } });
    const run = caseFolder.db.purificationRuns(cat.id).at(-1)!;
    const parameters = run.parameters as Record<string, unknown>;
    assert.deepEqual([parameters.tikhonovLambda, parameters.cscLambda, parameters.maxIterations], [3, 0.15, 9]);
    assert.deepEqual(parameters.settingsSource, { tikhonovLambda: 'bundle-tuning', cscLambda: 'option', maxIterations: 'bundle-tuning' });
    assert.equal((parameters.tuning as { sha256: string }).sha256, tuned.manifest.purificationDefaults!.tuning.sha256);
    assert.equal(run.bundleManifestSha256, tuned.manifestSha256);
    // the command line without --max-iterations takes the bundle's cap too (the app's purify
    // dialog has no such option), and with it the investigator's value wins
    const command = ['case', 'purify', '--case', caseFolder.folder, '--bundle', tunedPath, '--examiner', 'dave', '--item', String(cat.id), '--threads', '1'];
    for (const [extra, cap, source] of [
      [[], 9, 'bundle-tuning'],
      [['--max-iterations', '4'], 4, 'option'],
    ] as const) {
      const result = runAcsr([...command, ...extra]);
      assert.equal(result.code, 0, result.stderr);
      const recorded = caseFolder.db.purificationRuns(cat.id).at(-1)!.parameters as Record<string, unknown>;
      assert.equal(recorded.maxIterations, cap);
      assert.deepEqual(recorded.settingsSource, { tikhonovLambda: 'bundle-tuning', cscLambda: 'bundle-tuning', maxIterations: source });
      assert.ok((recorded.cbpdn as { iterations: number }).iterations <= cap);
    }
    // an untuned bundle's record carries no tuning section (byte-identical to before)
    const untuned = caseFolder.db.purificationRuns(cat.id)[0].parameters as Record<string, unknown>;
    assert.equal(untuned.settingsSource, undefined);
    assert.equal(checkAuditChain(caseFolder.db.auditRows()).broken, null);
  });
});
