// A genuine evidence file over 2 GiB (more than one Node buffer can hold) is streamed through the
// copy and both hashes, and imported: a PNG followed by 2.5 GiB of other data, as a file with an
// appended archive or a carved disk region would be. Written to /dev/shm when it has room (the
// test is then bound by hashing, not by the disk), else to the temp folder; removed afterwards.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { photosDir } from './case-fixtures.ts';

const SIZE = 2.5 * 2 ** 30;
let root: string;

function roomyTempBase(): string {
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.bavail * shm.bsize > 3 * SIZE) return '/dev/shm';
  } catch {
    // No /dev/shm: the temp folder it is.
  }
  return tmpdir();
}

before(async () => {
  root = await mkdtemp(join(roomyTempBase(), 'acsr-case-large-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a 2.5 GiB evidence file', () => {
  it('is streamed, hashed and imported whole, never refused for its size', async () => {
    const input = join(root, 'in');
    await mkdir(input);
    const path = join(input, 'large.png');
    const handle = await open(path, 'w');
    const expected = createHash('sha256');
    try {
      const png = await readFile(join(photosDir, 'skimage-chelsea.png'));
      await handle.write(png);
      expected.update(png);
      // Real data on every block (nothing sparse): a random mebibyte, written over and over.
      const block = randomBytes(1 << 20);
      for (let written = png.length; written < SIZE; written += block.length) {
        await handle.write(block);
        expected.update(block);
      }
    } finally {
      await handle.close();
    }
    const size = (await stat(path)).size;
    assert.ok(size > 2 ** 31);

    const caseFolder = await CaseFolder.create(join(root, 'case'), { number: 'L-1', title: 'large file', examiner: 'alice' });
    try {
      const summary = await caseFolder.importEvidence([input], { examiner: 'alice' });
      assert.deepEqual(
        summary.outcomes.map((outcome) => [outcome.outcome, outcome.message]),
        [['imported', null]],
      );
      const item = caseFolder.db.getItem(1);
      assert.equal(item.sizeBytes, size);
      assert.equal(item.sha256, expected.digest('hex'));
      assert.equal((await stat(caseFolder.store.absolutePath(item.storePath))).size, size);
    } finally {
      caseFolder.close();
    }
  });
});
