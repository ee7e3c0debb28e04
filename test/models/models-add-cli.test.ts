/**
 * `acsr models add` as a user runs it (child processes, a throw-away model cache), with the f_rob
 * kept beside the published results: the folder is registered after its weights are checked, the
 * model then lists and classifies real Fashion-MNIST images, adding it again changes nothing, and
 * a folder whose weights were altered is refused with nothing registered.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { localRegistryFile } from '../../main/acsr/models/local-model-registry.ts';
import { encodePng } from '../../main/io/image.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const published = path.join(repositoryRoot, 'docs/results/fashion-mnist-robust-extractor-10000-plus10');
const scratch = mkdtempSync(path.join(tmpdir(), 'acsr-models-add-'));
const cache = path.join(scratch, 'cache');
after(() => rmSync(scratch, { recursive: true, force: true }));

function acsr(args: string[], cacheDir = cache) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ACSR_CACHE_DIR: cacheDir },
  });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, summary: lastLine.startsWith('{') ? JSON.parse(lastLine) : undefined };
}

test('models add registers a checked model folder; it lists and classifies; adding again changes nothing', async () => {
  const { id, weightSha256 } = JSON.parse(readFileSync(path.join(published, 'registry.json'), 'utf8')).models[0];
  const added = acsr(['models', 'add', '--folder', published]);
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual([added.summary.id, added.summary.weightSha256, added.summary.added], [id, weightSha256, true]);
  const registryFile = localRegistryFile(path.join(cache, 'models'));
  const registry = readFileSync(registryFile, 'utf8');
  assert.deepEqual(
    JSON.parse(registry).models.map((m: { id: string }) => m.id),
    [id],
  );

  const listed = acsr(['models', 'list']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(listed.summary.models.some((m: { id: string; origin: string }) => m.id === id && m.origin === 'local'));

  const { images, labels } = await loadFashionMnist(fashionMnistDir, 't10k', 20);
  const folder = path.join(scratch, 'images');
  mkdirSync(folder);
  const files: string[] = [];
  for (const [n, image] of images.entries()) {
    files.push(path.join(folder, `${n}.png`));
    writeFileSync(files[n], await encodePng({ ...image, channels: 1 }));
  }
  const classified = acsr(['models', 'classify', '--model', id, '--in', ...files]);
  assert.equal(classified.code, 0, classified.stderr);
  assert.equal(classified.summary.model.weightSha256, weightSha256);
  const classNames: string[] = JSON.parse(readFileSync(path.join(published, 'registry.json'), 'utf8')).models[0].classNames;
  // images come back in file-name order: each is matched to its label by its name
  const right = classified.summary.images.filter((image: { file: string; top: string }) => image.top === classNames[labels[Number(path.basename(image.file, '.png'))]]).length;
  assert.ok(right >= 12, `f_rob (84 % clean accuracy on held-out images) got ${right} of 20 right`);

  const again = acsr(['models', 'add', '--folder', published]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.summary.added, false);
  assert.equal(readFileSync(registryFile, 'utf8'), registry);
});

test('models add refuses a folder whose weights were altered, and registers nothing', () => {
  const altered = path.join(scratch, 'altered');
  cpSync(published, altered, { recursive: true });
  const weights = readFileSync(path.join(altered, 'weights.bin'));
  weights[100] ^= 0x01;
  writeFileSync(path.join(altered, 'weights.bin'), weights);
  const otherCache = path.join(scratch, 'other-cache');
  const result = acsr(['models', 'add', '--folder', altered], otherCache);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /hash to .* but the registry expects/);
  assert.ok(!existsSync(localRegistryFile(path.join(otherCache, 'models'))), 'nothing registered');

  const notAModel = acsr(['models', 'add', '--folder', scratch], otherCache);
  assert.equal(notAModel.code, 2);
  assert.match(notAModel.stderr, /not a model folder/);
});
