import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { photosDir } from '../support/shared-data.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const cacheRoot = mkdtempSync(path.join(tmpdir(), 'acsr-models-cli-'));
after(() => rmSync(cacheRoot, { recursive: true, force: true }));

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ACSR_CACHE_DIR: cacheRoot },
  });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, summary: JSON.parse(lastLine) };
}

test('acsr models classify reports per-image probabilities, the model hash and the backend; list then shows it cached', () => {
  const before = acsr(['models', 'list']);
  assert.equal(before.code, 0, before.stderr);
  assert.deepEqual(
    before.summary.models.map((model: { id: string; cached: boolean }) => [model.id, model.cached]),
    // the packaged nsfwjs models are converted into the cache on first use; the baseline ships as tfjs files
    [['nsfwjs-mobilenet-v2', false], ['nsfwjs-mobilenet-v2-mid', false], ['nsfwjs-inception-v3', false], ['fmnist-baseline-cnn-b25dc5da0ce9', true]],
  );

  const files = ['darknet-horses.jpg', 'skimage-gravel.png'].map((file) => path.join(photosDir, file));
  const result = acsr(['models', 'classify', '--model', 'nsfwjs-mobilenet-v2', '--in', ...files]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.summary.model.id, 'nsfwjs-mobilenet-v2');
  assert.equal(result.summary.model.weightSha256, before.summary.models[0].weightSha256);
  assert.equal(result.summary.backend.choice, result.summary.model.backend);
  assert.deepEqual(result.summary.images.map((image: { file: string }) => image.file), files);
  for (const image of result.summary.images) {
    const total = Object.values<number>(image.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-6);
    assert.equal(image.top, 'Neutral', image.file);
  }

  const after = acsr(['models', 'list']);
  assert.equal(after.summary.models[0].cached, true);
  assert.equal(after.summary.cacheDir, path.join(cacheRoot, 'models'));
});

test('an unknown model id is a user error (exit code 2) naming the registered ids', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', 'models', 'classify', '--model', 'resnet', '--in', photosDir], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ACSR_CACHE_DIR: cacheRoot },
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown model 'resnet'.*nsfwjs-inception-v3/);
});
