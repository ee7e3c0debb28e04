/**
 * Real data for the case side of the evasion score, at tiny sizes: the tiny stage-i bundle of
 * test/support/tiny-fashion-bundle.ts (200 Fashion-MNIST training images, the shipped baseline
 * CNN), calibrated by `acsr calibrate-evasion` (FGSM and DeepFool attacked on its validation
 * images), and Fashion-MNIST *test* images written as PNG files, clean and attacked with the
 * repository's own attacks against the same classifier (only attacks that changed a right label
 * count).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAttackSpecs } from '../../main/acsr/attacks/attack-spec.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { attackedSet } from '../../main/acsr/evasion/attacked-images.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { encodePng } from '../../main/io/image.ts';
import { fashionMnistDir, repoRoot } from '../support/shared-data.ts';
import { TINY_BUNDLE_MODEL, trainTinyFashionBundle } from '../support/tiny-fashion-bundle.ts';

export const EVASION_MODEL = TINY_BUNDLE_MODEL;

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { code: result.status, stderr: result.stderr };
}

/** A plain bundle and its calibrated copy under `scratch` (folders named `names`). */
export function makeCalibratedBundle(scratch: string, names = { plain: 'bundle', calibrated: 'bundle-calibrated' }): { plain: string; calibrated: string } {
  const plain = path.join(scratch, names.plain);
  const calibrated = path.join(scratch, names.calibrated);
  trainTinyFashionBundle(plain);
  const run = acsr([
    'calibrate-evasion',
    '--bundle',
    plain,
    '--data',
    fashionMnistDir,
    '--model',
    EVASION_MODEL,
    '--attacks',
    'fgsm-dis:0.08,deepfool-dis:0.04',
    '--bundle-out',
    calibrated,
  ]);
  assert.equal(run.code, 0, run.stderr);
  return { plain, calibrated };
}

export interface EvidenceImages {
  /** PNG files of clean test images */
  clean: string[];
  /** PNG files of successfully attacked versions of test images */
  attacked: string[];
}

/**
 * The first `count` Fashion-MNIST test images as PNGs, and those of them that `attack` fools the
 * classifier on, attacked. Names say which is which (clean-3.png, attacked-fgsm-3.png).
 */
export async function writeTestImages(folder: string, count: number, attack = 'fgsm-dis:0.08'): Promise<EvidenceImages> {
  mkdirSync(folder, { recursive: true });
  const test = await loadFashionMnist(fashionMnistDir, 't10k', count);
  const samples = test.images.map((image, i) => ({ name: `t10k[${i}]`, label: test.labels[i], image }));
  const model = await loadTfImageModel(EVASION_MODEL);
  try {
    const attacked = await attackedSet({ samples, attacks: parseAttackSpecs(attack), classifier: attackableImageModel(model), batchSize: 32, seed: 0 });
    const clean: string[] = [];
    for (const [i, sample] of samples.entries()) {
      const file = path.join(folder, `clean-${i}.png`);
      writeFileSync(file, await encodePng(sample.image));
      clean.push(file);
    }
    const files: string[] = [];
    const kind = attack.split(/[-:]/)[0];
    for (const example of attacked.examples) {
      const index = /\[(\d+)\]/.exec(example.name)?.[1] ?? String(files.length);
      const file = path.join(folder, `attacked-${kind}-${index}.png`);
      writeFileSync(file, await encodePng(example.image));
      files.push(file);
    }
    return { clean, attacked: files };
  } finally {
    model.dispose();
  }
}
