// The one check that an atom fits in the training crops, as stage i, the single-dictionary
// baseline and `acsr learn-dictionary` all apply it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { trainingCropSide } from '../../main/acsr/references/training-crop-side.ts';
import { photosDir } from '../support/shared-data.ts';

describe('trainingCropSide', () => {
  it('is the patch size, or the smallest image side where that is less', () => {
    assert.equal(trainingCropSide(100, 8, 32), 32);
    assert.equal(trainingCropSide(20, 8, 32), 20);
    assert.equal(trainingCropSide(8, 8, 32), 8);
    assert.equal(trainingCropSide(12, 8), 12);
  });

  it('refuses an image, or a patch size, smaller than an atom', () => {
    assert.throws(
      () => trainingCropSide(6, 8, 32),
      (error: unknown) => error instanceof UserInputError && error.message === 'the smallest training image (6 px) is smaller than an atom (8 px)',
    );
    assert.throws(() => trainingCropSide(100, 8, 4), UserInputError);
  });
});

describe('acsr learn-dictionary on an image smaller than an atom', () => {
  let dir = '';
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'acsr-crop-side-'));
    await sharp(path.join(photosDir, 'skimage-astronaut.png')).extract({ left: 160, top: 60, width: 6, height: 6 }).png().toFile(path.join(dir, 'tiny.png'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with the one error line and writes nothing', () => {
    const out = path.join(dir, 'dictionary.npy');
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'main/cli/acsr.ts', 'learn-dictionary', '--in', path.join(dir, 'tiny.png'), '--atoms', '4', '--size', '8', '--out', out, '--quiet'],
      {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /the smallest training image \(6 px\) is smaller than an atom \(8 px\)/);
    assert.equal(existsSync(out), false);
  });
});
