/**
 * `acsr train --train-baseline` as a user runs it (a child process, a throw-away model cache): the
 * baseline CNN is trained on real Fashion-MNIST and registered in the cache, stage i then uses it,
 * and the bundle's manifest names the extractor by that id and weight hash. Sizes are small so the
 * test stays short; the full-size figures are in test/bench/baseline-train-bench.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { localRegistryFile } from '../../main/acsr/models/local-model-registry.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'acsr-train-baseline-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repositoryRoot, encoding: 'utf8', timeout: 480_000,
    env: { ...process.env, ACSR_CACHE_DIR: path.join(scratch, 'cache') },
  });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, summary: lastLine.startsWith('{') ? JSON.parse(lastLine) : undefined };
}

test('acsr train --train-baseline trains, registers and uses the CNN; the manifest names it and its weight hash', () => {
  const bundle = path.join(scratch, 'bundle');
  const result = acsr([
    'train', '--train-baseline', '--data', fashionMnistDir, '--baseline-images', '1500', '--baseline-epochs', '1',
    '--limit', '200', '--out', bundle, '--k', '1', '--atoms', '4', '--cdl-iterations', '2', '--max-patches-per-cluster', '4',
    // no validation split: the specificity check it brings is tested in test/references, not here
    '--validation-fraction', '0',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const { baseline } = result.summary;
  assert.equal(baseline.trainImages, 1500);
  assert.equal(baseline.testImages, 10000);
  assert.ok(baseline.testAccuracy > 0.4, `test accuracy ${baseline.testAccuracy}`);
  assert.equal(result.summary.extractor.id, baseline.id);

  const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
  assert.equal(manifest.extractor.id, baseline.id);
  assert.equal(manifest.extractor.weightSha256, baseline.weightSha256);
  assert.equal(manifest.extractor.latentDimension, 128);
  const registry = JSON.parse(readFileSync(localRegistryFile(path.join(scratch, 'cache', 'models')), 'utf8'));
  assert.deepEqual(registry.models.map((m: { id: string; weightSha256: string }) => [m.id, m.weightSha256]), [[baseline.id, baseline.weightSha256]]);
});

test('acsr train wants exactly one of --extractor and --train-baseline', () => {
  for (const extra of [[], ['--train-baseline', '--extractor', 'nsfwjs-mobilenet-v2']]) {
    const result = acsr(['train', '--data', fashionMnistDir, '--out', path.join(scratch, 'never'), ...extra]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /either --extractor ID or --train-baseline/);
  }
});
