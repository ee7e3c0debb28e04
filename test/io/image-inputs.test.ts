import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expandImageInputs } from '../../main/io/image-inputs.ts';

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'acsr-inputs-'));
  for (const name of ['b.png', 'a.jpg', 'C.TIFF', 'notes.txt', '.hidden.png', 'sub/d.webp', 'empty/readme.md']) {
    await mkdir(join(directory, name, '..'), { recursive: true });
    await writeFile(join(directory, name), '');
  }
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('expandImageInputs', () => {
  it('lists a directory’s images by extension, sorted by code point, skipping hidden files', async () => {
    assert.deepEqual(
      await expandImageInputs([directory]),
      ['C.TIFF', 'a.jpg', 'b.png'].map((name) => join(directory, name)),
    );
    assert.deepEqual(
      await expandImageInputs([directory], { recursive: true }),
      ['C.TIFF', 'a.jpg', 'b.png', 'sub/d.webp'].map((name) => join(directory, name)),
    );
  });

  it('keeps explicit files whatever their extension, sorts and removes duplicates', async () => {
    const files = [join(directory, 'notes.txt'), join(directory, 'b.png'), directory, join(directory, 'b.png')];
    assert.deepEqual(
      await expandImageInputs(files),
      ['C.TIFF', 'a.jpg', 'b.png', 'notes.txt'].map((name) => join(directory, name)),
    );
  });

  it('says what is wrong with an input', async () => {
    await assert.rejects(expandImageInputs([]), { name: 'UserInputError', message: 'no input images given' });
    await assert.rejects(expandImageInputs([join(directory, 'missing')]), { name: 'UserInputError', message: /missing: no such file or directory/ });
    await assert.rejects(expandImageInputs([join(directory, 'empty')]), {
      name: 'UserInputError',
      message: /empty: directory contains no image files \(\.png, \.jpg/,
    });
  });
});
