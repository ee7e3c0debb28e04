/**
 * The tiny stage-i bundle that the tuning and evasion tests start from, trained by `acsr train`
 * as a user runs it: the first 200 Fashion-MNIST training images (10 % of each class held out for
 * validation) with the shipped baseline CNN, one cluster per class and a few atoms, so that
 * training takes seconds and the validation split is there for `acsr tune` and
 * `acsr calibrate-evasion`. Each test file trains its own copy into its own scratch folder: the
 * tests then write next to it and check that it stays untouched, which a bundle shared between
 * test files could not show.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fashionMnistDir, repoRoot } from './shared-data.ts';

/** The shipped Fashion-MNIST baseline CNN: the bundle's extractor and the attacked classifier. */
export const TINY_BUNDLE_MODEL = 'fmnist-baseline-cnn-b25dc5da0ce9';

export interface TinyFashionBundleSettings {
  /** Training images, from the start of the training file. */
  images: number;
  /** Fraction of each class held out as the validation split. */
  validationFraction: number;
  atoms: number;
  cdlIterations: number;
  maxPatchesPerCluster: number;
  specificityImages: number;
}

export const TINY_FASHION_BUNDLE: Readonly<TinyFashionBundleSettings> = {
  images: 200,
  validationFraction: 0.1,
  atoms: 8,
  cdlIterations: 3,
  maxPatchesPerCluster: 8,
  specificityImages: 1,
};

/** Trains the tiny bundle into `out` (which must not exist yet); `overrides` change single settings. */
export function trainTinyFashionBundle(out: string, overrides: Partial<TinyFashionBundleSettings> = {}): void {
  const settings = { ...TINY_FASHION_BUNDLE, ...overrides };
  const args = [
    'train',
    '--data',
    fashionMnistDir,
    '--extractor',
    TINY_BUNDLE_MODEL,
    '--limit',
    String(settings.images),
    // one cluster per class keeps training to seconds
    '--k',
    '1',
    '--k-max',
    '1',
    '--atoms',
    String(settings.atoms),
    '--cdl-iterations',
    String(settings.cdlIterations),
    '--max-patches-per-cluster',
    String(settings.maxPatchesPerCluster),
    '--validation-fraction',
    String(settings.validationFraction),
    '--specificity-images',
    String(settings.specificityImages),
    '--out',
    out,
    '--json',
    '--quiet',
  ];
  const trained = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    // generous: the machine running the tests may be busy with other work
    timeout: 600_000,
  });
  assert.equal(trained.status, 0, `acsr train of the tiny Fashion-MNIST bundle failed: ${trained.stderr}`);
}
