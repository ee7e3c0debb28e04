/**
 * `acsr attack` end to end on the bundled nsfwjs MobileNetV2 and a real photo: the 16-bit PNG and
 * JSON record it writes, and its refusals (exit 2, one error line, no output folder).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readImage } from '../../main/io/image.ts';
import { photosDir } from '../support/shared-data.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const workDir = mkdtempSync(path.join(tmpdir(), 'acsr-attack-cli-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', 'attack', ...args, '--json', '--quiet'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a targeted PGD-Linf attack writes a 16-bit PNG within budget and a record whose numbers agree with it', async () => {
  const out = path.join(workDir, 'pgd');
  const input = path.join(photosDir, 'skimage-chelsea.png');
  const result = acsr([
    '--model',
    'nsfwjs-mobilenet-v2',
    '--attack',
    'pgd-linf:4/255:steps=3',
    '--in',
    input,
    '--out',
    out,
    '--target',
    'Drawing',
    '--seed',
    '5',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!);
  assert.equal(summary.attack, 'pgd-linf:4/255:steps=3');
  const record = JSON.parse(readFileSync(path.join(out, 'skimage-chelsea.attack.json'), 'utf8'));
  assert.equal(record.model.id, 'nsfwjs-mobilenet-v2');
  assert.match(record.model.weightSha256, /^[0-9a-f]{64}$/);
  assert.equal(record.attack.targeted, true);
  assert.equal(record.target.className, 'Drawing');
  assert.deepEqual(record.attack.budget.norm, 'linf');
  assert.equal(record.adversarial.iterations, 3);
  assert.equal(record.adversarial.success, record.adversarial.className === 'Drawing');
  assert.equal(record.written.success, record.written.className === 'Drawing');

  const original = await readImage(input, { precision: 'float32' });
  const written = await readImage(path.join(out, 'skimage-chelsea.adversarial.png'), { precision: 'float32' });
  assert.equal(written.sourceBitDepth, 16);
  assert.deepEqual([written.height, written.width, written.channels], [original.height, original.width, original.channels]);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < original.data.length; i++) {
    const delta = written.data[i] - original.data[i];
    max = Math.max(max, Math.abs(delta));
    sum += delta * delta;
  }
  // the budget holds in the file too, up to half a 16-bit step
  assert.ok(max <= 4 / 255 + 0.5 / 65535 + 1e-7, `Linf ${max * 255}/255`);
  assert.ok(Math.abs(record.written.linf255 - max * 255) < 1e-3);
  assert.ok(Math.abs(record.written.l2PerPixel - Math.sqrt(sum / original.data.length)) < 1e-6);
  assert.ok(max > 3.5 / 255, 'the attack used its budget');
});

test("FGSM at the paper's dissimilarity budget: the record names the normalisation and its dissimilarity is the file's", async () => {
  const out = path.join(workDir, 'fgsm-dis');
  const input = path.join(photosDir, 'skimage-chelsea.png');
  const result = acsr(['--model', 'nsfwjs-mobilenet-v2', '--attack', 'fgsm-dis:0.04', '--in', input, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const record = JSON.parse(readFileSync(path.join(out, 'skimage-chelsea.attack.json'), 'utf8'));
  assert.deepEqual([record.attack.spec, record.attack.budget.norm, record.attack.budget.epsilon], ['fgsm-dis:0.04', 'dissimilarity', 0.04]);
  assert.match(record.attack.budget.units, /L2 dissimilarity \|\|x'-x\|\|_2 \/ \|\|x\|\|_2, pixels in \[0, 1\]/);
  const original = await readImage(input, { precision: 'float32' });
  const written = await readImage(path.join(out, 'skimage-chelsea.adversarial.png'), { precision: 'float32' });
  let deltaSum = 0;
  let imageSum = 0;
  for (let i = 0; i < original.data.length; i++) {
    deltaSum += (written.data[i] - original.data[i]) ** 2;
    imageSum += original.data[i] ** 2;
  }
  const dissimilarity = Math.sqrt(deltaSum / imageSum);
  assert.ok(Math.abs(record.written.dissimilarity - dissimilarity) < 1e-6, `${record.written.dissimilarity} vs ${dissimilarity}`);
  // the sign step is sized to exactly 0.04 before clipping: what clipping removes leaves it at most that
  assert.ok(record.adversarial.dissimilarity <= 0.04 + 1e-6 && record.adversarial.dissimilarity > 0.03, `${record.adversarial.dissimilarity}`);
});

test('bad input is one error line, exit 2, and no output folder', () => {
  const input = path.join(photosDir, 'skimage-chelsea.png');
  const cases: [string[], RegExp][] = [
    [['--attack', 'fgsm:zero'], /budget 'zero' is not a number/],
    [['--attack', 'fgsm:0.04', '--target', 'Cat'], /--target 'Cat' is not a class of this model \(0=Drawing/],
  ];
  for (const [args, message] of cases) {
    const out = path.join(workDir, 'refused');
    const result = acsr(['--model', 'nsfwjs-mobilenet-v2', '--in', input, '--out', out, ...args]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(
      result.stderr
        .trim()
        .split('\n')
        .filter((line) => /error/i.test(line)).length,
      1,
      result.stderr,
    );
    assert.equal(existsSync(out), false);
  }
});
