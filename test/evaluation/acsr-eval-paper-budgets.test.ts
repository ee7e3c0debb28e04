// `acsr eval` at the paper's budgets on real Fashion-MNIST test images with the shipped baseline
// CNN and bundle: the achieved dissimilarities respect each budget, the cutoff attack returns the
// clean image beyond it, and the paired tests and fooled-image counts in results.json agree with
// an independent recount of the journal's per-image verdicts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAttackSpec } from '../../main/acsr/attacks/attack-spec.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import type { EvaluationResults } from '../../main/acsr/evaluation/evaluation-results.ts';
import { batchFromImages } from '../../main/acsr/evaluation/image-batch.ts';
import { mcNemarExact } from '../../main/acsr/evaluation/mcnemar-test.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { fashionMnistDir, repoRoot } from '../support/shared-data.ts';

const MODEL = 'fmnist-baseline-cnn-b25dc5da0ce9';
const ATTACKS = ['fgsm-dis:0.08', 'bim-dis:0.04:steps=5', 'deepfool-dis:0.04:steps=10'];
const DEFENSES = ['none', 'jpeg50', 'acsr'];
const IMAGES = 5;

interface Outcome {
  sample: number;
  label: number;
  attack?: { adversarialLabel: number; dissimilarity: number; rejectedDissimilarity?: number; success: boolean };
  defended: { defense: string; predicted: number }[];
}

describe("acsr eval at the paper's budgets, on real Fashion-MNIST images", () => {
  let out = '';
  let results: EvaluationResults;
  let byRow: Map<string, Outcome[]>;
  before(() => {
    out = mkdtempSync(path.join(tmpdir(), 'acsr-eval-paper-'));
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'main/cli/acsr.ts',
        'eval',
        '--model',
        MODEL,
        '--bundle',
        path.join(repoRoot, 'models/fashion-mnist-bundle'),
        '--data',
        fashionMnistDir,
        '--limit',
        String(IMAGES),
        '--attacks',
        ATTACKS.join(','),
        '--defenses',
        DEFENSES.join(','),
        '--out',
        out,
        '--json',
        '--quiet',
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    byRow = new Map();
    for (const line of readFileSync(path.join(out, 'journal.jsonl'), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())) {
      const unit = JSON.parse(line) as { row: string; outcomes: Outcome[] };
      byRow.set(unit.row, [...(byRow.get(unit.row) ?? []), ...unit.outcomes]);
    }
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('keeps every attacked image within its dissimilarity budget; the cutoff attack uses the clean image beyond it', async () => {
    assert.deepEqual(results.rows, ['clean', ...ATTACKS]);
    for (const row of ['fgsm-dis:0.08', 'bim-dis:0.04:steps=5']) {
      const epsilon = parseAttackSpec(row).budget!.epsilon;
      for (const o of byRow.get(row)!)
        assert.ok(o.attack!.dissimilarity > 0 && o.attack!.dissimilarity <= epsilon + 1e-6, `${row} sample ${o.sample}: ${o.attack!.dissimilarity}`);
      const summary = results.attacks.find((a) => a.row === row)!;
      assert.ok(summary.maxDissimilarity <= epsilon + 1e-6);
    }
    for (const o of byRow.get('deepfool-dis:0.04:steps=10')!) {
      const { dissimilarity, rejectedDissimilarity } = o.attack!;
      if (rejectedDissimilarity === undefined) assert.ok(dissimilarity < 0.04, `sample ${o.sample}`);
      else assert.ok(dissimilarity === 0 && rejectedDissimilarity >= 0.04 && !o.attack!.success, `sample ${o.sample}`);
    }
    // the journal's FGSM records are what the attack does on these images, recomputed here
    const set = await loadFashionMnist(fashionMnistDir, 't10k', IMAGES);
    const model = await loadTfImageModel(MODEL);
    try {
      const { records } = await parseAttackSpec('fgsm-dis:0.08').run({
        classifier: attackableImageModel(model),
        images: batchFromImages(set.images),
        labels: [...set.labels],
      });
      byRow.get('fgsm-dis:0.08')!.forEach((o) => {
        assert.equal(o.attack!.adversarialLabel, records[o.sample].adversarialLabel);
        assert.ok(Math.abs(o.attack!.dissimilarity - records[o.sample].dissimilarity) < 1e-9);
      });
    } finally {
      model.dispose();
    }
  });

  it('publishes McNemar tests and fooled-image accuracies that a recount of the journal reproduces', () => {
    const right = (o: Outcome, defense: string) => o.defended.find((d) => d.defense === defense)!.predicted === o.label;
    for (const row of results.rows) {
      for (const baseline of ['none', 'jpeg50']) {
        const outcomes = byRow.get(row)!;
        const b = outcomes.filter((o) => right(o, 'acsr') && !right(o, baseline)).length;
        const c = outcomes.filter((o) => !right(o, 'acsr') && right(o, baseline)).length;
        const test = results.pairedTests.find((t) => t.row === row && t.baseline === baseline)!;
        assert.deepEqual(
          [test.pairs, test.b, test.c, test.exactP, test.midP],
          [IMAGES, b, c, mcNemarExact(b, c).exactP, mcNemarExact(b, c).midP],
          `${row} vs ${baseline}`,
        );
      }
    }
    const cleanRight = new Map(byRow.get('clean')!.map((o) => [o.sample, right(o, 'none')]));
    for (const row of ATTACKS) {
      const fooled = byRow.get(row)!.filter((o) => cleanRight.get(o.sample) && o.attack!.adversarialLabel !== o.label);
      const subset = results.fooled.find((f) => f.row === row)!;
      assert.equal(subset.fooled, fooled.length, row);
      assert.equal(subset.cleanCorrect, [...cleanRight.values()].filter(Boolean).length);
      for (const defense of DEFENSES) {
        const cell = subset.cells.find((c) => c.defense === defense)!;
        assert.deepEqual([cell.accuracy.successes, cell.accuracy.total], [fooled.filter((o) => right(o, defense)).length, fooled.length], `${row} ${defense}`);
      }
      // the undefended classifier is wrong on every fooled image, by definition
      if (fooled.length > 0) assert.equal(subset.cells.find((c) => c.defense === 'none')!.accuracy.successes, 0);
    }
  });

  it("states every budget's normalisation in results.md, beside the fooled-image and paired tables", () => {
    const markdown = readFileSync(path.join(out, 'results.md'), 'utf8');
    assert.match(markdown, /\| attack \| budget \(pixels in \[0, 1\]\) \| none \| jpeg50 \| acsr \|/);
    assert.ok(markdown.includes("| fgsm-dis:0.08 | L2 dissimilarity \\|\\|x'-x\\|\\|_2 / \\|\\|x\\|\\|_2 <= 0.08"));
    assert.ok(
      markdown.includes(
        "| deepfool-dis:0.04:steps=10 | minimal-norm, counted only where L2 dissimilarity \\|\\|x'-x\\|\\|_2 / \\|\\|x\\|\\|_2 < 0.04 (else failed: the clean image is used)",
      ),
    );
    assert.match(markdown, /## On the images each attack fooled/);
    assert.match(markdown, /## acsr against each baseline, paired \(McNemar\)/);
    assert.match(markdown, /in \d of 3 attack rows/);
  });
});
