// `acsr eval` as a user runs it, on real Fashion-MNIST test images with the shipped baseline CNN
// and bundle: every cell comes from real model calls (recomputed here independently), an
// interrupted run resumes to the same numbers, and the report names every row and defense.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { parseAttackSpec } from '../../main/acsr/attacks/attack-spec.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { reduceBitDepth } from '../../main/acsr/defenses/bit-depth-defense.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import type { EvaluationResults } from '../../main/acsr/evaluation/evaluation-results.ts';
import { batchFromImages, imagesFromBatch } from '../../main/acsr/evaluation/image-batch.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { purifyImage } from '../../main/acsr/purification/purify-image.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { fashionMnistDir, repoRoot } from '../support/shared-data.ts';

const MODEL = 'fmnist-baseline-cnn-b25dc5da0ce9';
const BUNDLE = path.join(repoRoot, 'models/fashion-mnist-bundle');
const args = (out: string, limit: number) => [
  'eval',
  '--model',
  MODEL,
  '--bundle',
  BUNDLE,
  '--data',
  fashionMnistDir,
  '--limit',
  String(limit),
  '--batch-size',
  '3',
  '--attacks',
  'fgsm:0.04,deepfool',
  '--defenses',
  'none,bits4,acsr',
  '--adaptive',
  'bpda',
  '--bpda-attack',
  'pgd:0.04:steps=2',
  '--out',
  out,
];

function acsr(cliArgs: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...cliArgs, '--json', '--quiet'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const readResults = (out: string) => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as EvaluationResults;
const journalUnits = (out: string) =>
  readFileSync(path.join(out, 'journal.jsonl'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

describe('acsr eval on real Fashion-MNIST images', () => {
  let dir = '';
  let straight = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acsr-eval-'));
    straight = path.join(dir, 'straight');
    const run = acsr(args(straight, 6));
    assert.equal(run.code, 0, run.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills every row x defense cell and writes the tables and plots', async () => {
    const results = readResults(straight);
    assert.equal(results.complete, true);
    assert.deepEqual(results.rows, ['clean', 'fgsm:0.04', 'deepfool', 'bpda']);
    for (const row of results.rows) {
      for (const defense of ['none', 'bits4', 'acsr']) {
        const cell = results.cells.find((c) => c.row === row && c.defense === defense);
        assert.ok(cell, `${row} x ${defense} missing`);
        assert.equal(cell.accuracy.total, 6);
        assert.ok(cell.accuracy.ci95[0] <= cell.accuracy.value && cell.accuracy.value <= cell.accuracy.ci95[1]);
      }
    }
    assert.deepEqual(
      results.clusterAgreement.map((c) => `${c.row}/${c.defense}`),
      ['fgsm:0.04/acsr', 'deepfool/acsr', 'bpda/acsr'],
    );
    const markdown = readFileSync(path.join(straight, 'results.md'), 'utf8');
    assert.match(markdown, /\| attack \| budget \(pixels in \[0, 1\]\) \| none \| bits4 \| acsr \|/);
    for (const row of ['| clean |', '| fgsm:0.04 |', '| deepfool |', '| BPDA pgd']) assert.ok(markdown.includes(row), `results.md lacks ${row}`);
    assert.ok(markdown.includes("| fgsm:0.04 | per-pixel L2 \\|\\|x'-x\\|\\|_2 / sqrt(H W C) <= 0.04 (stress setting) |"), 'the row states its normalisation');
    const bars = await sharp(path.join(straight, 'accuracy-by-attack.png')).stats();
    assert.ok(bars.channels[0].min < 50 && bars.channels[0].max > 200, 'the bar chart has drawing on it');
  });

  it('computes its cells from real model calls: an independent recomputation agrees', async () => {
    const units = journalUnits(straight);
    const fgsmUnit = units.find((u) => u.row === 'fgsm:0.04' && u.outcomes[0].sample === 0);
    const set = await loadFashionMnist(fashionMnistDir, 't10k', 3);
    const model = await loadTfImageModel(MODEL);
    try {
      const classifier = attackableImageModel(model);
      const attacked = await parseAttackSpec('fgsm:0.04').run({ classifier, images: batchFromImages(set.images), labels: [...set.labels] });
      const adversarial = imagesFromBatch(attacked.adversarial);
      const squeezed = await classifier.scores(batchFromImages(adversarial.map((image) => reduceBitDepth(image, 4))));
      const bundle = await loadReferenceBundle(BUNDLE);
      for (let i = 0; i < 3; i++) {
        const outcome = fgsmUnit.outcomes[i];
        assert.equal(outcome.label, set.labels[i]);
        assert.equal(outcome.attack.adversarialLabel, attacked.records[i].adversarialLabel);
        const row = Array.from(squeezed.subarray(i * 10, i * 10 + 10));
        assert.equal(outcome.defended.find((d: { defense: string }) => d.defense === 'bits4').predicted, row.indexOf(Math.max(...row)));
        const purified = await purifyImage({ image: adversarial[i], bundle, extractor: model, options: { threads: 1 } });
        assert.equal(outcome.defended.find((d: { defense: string }) => d.defense === 'acsr').clusterId, purified.cluster.id);
      }
    } finally {
      model.dispose();
    }
  });

  it('resumes a killed run to the same numbers, and a larger --limit reuses the finished batches', async () => {
    const resumed = path.join(dir, 'resumed');
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args(resumed, 6), '--quiet'], { cwd: repoRoot, stdio: 'ignore' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const journal = path.join(resumed, 'journal.jsonl');
        if (existsSync(journal) && journalUnits(resumed).length >= 2) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 100);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const done = journalUnits(resumed).length;
    assert.ok(done >= 2 && done < 12, `killed after ${done} of 12 units`);

    const rerun = acsr(args(resumed, 6));
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, new RegExp(`resumed: ${done} of 12 units`));
    const cells = (out: string) => readResults(out).cells.map((c) => `${c.row}/${c.defense}=${c.accuracy.successes}/${c.accuracy.total}`);
    assert.deepEqual(cells(resumed), cells(straight));

    const larger = acsr(args(resumed, 7));
    assert.equal(larger.code, 0, larger.stderr);
    assert.match(larger.stdout, /resumed: 12 of 18 units/);
    assert.equal(readResults(resumed).cells[0].accuracy.total, 7);
  });

  it('--max-iterations caps CBPDN for this run: recorded in the journal and the legend, and a run without it is another evaluation', () => {
    const capped = path.join(dir, 'capped');
    const cappedArgs = ['eval', '--model', MODEL, '--bundle', BUNDLE, '--data', fashionMnistDir, '--limit', '3', '--attacks', 'none', '--defenses', 'acsr'];
    const run = acsr([...cappedArgs, '--max-iterations', '1', '--no-plots', '--out', capped]);
    assert.equal(run.code, 0, run.stderr);
    const header = JSON.parse(readFileSync(path.join(capped, 'journal.jsonl'), 'utf8').split('\n')[0]).configuration;
    assert.equal(header.purification.maxIterations, 1);
    const legend = readResults(capped).setup.defenses.find((d) => d.name === 'acsr')!.description;
    assert.match(legend, /; 1 CBPDN iteration in this run$/);
    const uncapped = acsr([...cappedArgs, '--no-plots', '--out', capped]);
    assert.equal(uncapped.code, 2);
    assert.match(uncapped.stderr, /different evaluation/);
  });

  it('refuses another evaluation in the same folder, and bad specs, with one clear line', () => {
    const other = acsr(args(straight, 6).map((a) => (a === 'fgsm:0.04,deepfool' ? 'fgsm:0.08' : a)));
    assert.equal(other.code, 2);
    assert.match(other.stderr, /different evaluation/);
    const unknown = acsr(['eval', '--model', MODEL, '--data', fashionMnistDir, '--defenses', 'none,blur', '--out', path.join(dir, 'x')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown defense\(s\) blur/);
    assert.equal(existsSync(path.join(dir, 'x')), false);
  });
});
