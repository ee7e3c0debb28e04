// Decompression bombs under the pixel cap: 10000 x 10000 16-bit RGBA PNGs of about a megabyte
// that take 800 MB once decoded. Each is imported, found a duplicate, or refused with the memory
// it would need; a duplicate is never decoded. (Peak memory is measured by
// test/bench/import-bombs-bench.ts, not here.)
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { BOMB_DECODED_BYTES, BOMB_SIDE, sixteenBitBombPng } from './bomb-fixtures.ts';
import { makeTempDir, removeTempDir } from './case-fixtures.ts';

let root: string;
let bomb: Buffer;
before(async () => {
  root = await makeTempDir('bombs');
  bomb = await sixteenBitBombPng(0);
});
after(async () => {
  await removeTempDir(root);
});

async function newCase(name: string): Promise<CaseFolder> {
  return CaseFolder.create(join(root, name), { number: name, title: `bombs ${name}`, examiner: 'alice' });
}

/** The bomb with `variant` bytes after its end: a different file of the same picture. */
function variantOf(variant: number): Buffer {
  return variant === 0 ? bomb : Buffer.concat([bomb, Buffer.from(`variant ${variant}`)]);
}

describe('16 bombs under a decode budget smaller than one of them', () => {
  it('refuses each with the memory it would need, without decoding any, and says which are the same content', async () => {
    const input = join(root, 'sixteen');
    await mkdir(input);
    for (let index = 0; index < 16; index++) await writeFile(join(input, `bomb-${String(index).padStart(2, '0')}.png`), variantOf(index % 4));
    const caseFolder = await newCase('refused');
    try {
      const summary = await caseFolder.importEvidence([input], { examiner: 'alice', decodeBudgetBytes: 512 * 2 ** 20, imageWorkers: 2 });
      assert.deepEqual([summary.imported, summary.duplicates, summary.errors], [0, 0, 16]);
      for (const [index, outcome] of summary.outcomes.entries()) {
        assert.equal(outcome.errorKind, 'over-memory-budget', outcome.message ?? '');
        assert.match(
          outcome.message!,
          new RegExp(
            `decoding this ${BOMB_SIDE} x ${BOMB_SIDE} image needs 762\\.9 MiB of memory, more than the import's decode budget of 512\\.0 MiB: not decoded`,
          ),
        );
        if (index >= 4) assert.match(outcome.message!, new RegExp(`same content as .*bomb-0${index % 4}\\.png, refused for the same reason`));
      }
      assert.equal(BOMB_DECODED_BYTES, 800_000_000);
      assert.deepEqual(await readdir(join(caseFolder.folder, 'evidence', '.incoming')), []);
    } finally {
      caseFolder.close();
    }
  });
});

describe('a bomb within the decode budget', () => {
  it('is decoded once and imported; its copies are duplicates, also later under a budget it would not fit', async () => {
    const input = join(root, 'fits-in');
    await mkdir(join(input, 'nested'), { recursive: true });
    await writeFile(join(input, 'a.png'), bomb);
    await writeFile(join(input, 'b.png'), bomb);
    await writeFile(join(input, 'nested', 'c.png'), bomb);
    const caseFolder = await newCase('fits');
    try {
      const summary = await caseFolder.importEvidence([input], { examiner: 'alice', decodeBudgetBytes: 2 ** 30 });
      assert.deepEqual(
        summary.outcomes.map((outcome) => outcome.outcome),
        ['imported', 'duplicate', 'duplicate'],
      );
      const item = caseFolder.db.getItem(1);
      assert.deepEqual([item.width, item.height, item.mediaType], [BOMB_SIDE, BOMB_SIDE, 'image/png']);

      // The duplicate check comes before the header is even read: under a budget far too small
      // to decode it, more copies are still recognised as the item they duplicate.
      const later = join(root, 'later');
      await mkdir(later);
      await writeFile(join(later, 'd.png'), bomb);
      const again = await caseFolder.importEvidence([later], { examiner: 'alice', decodeBudgetBytes: 64 * 2 ** 20 });
      assert.deepEqual(
        again.outcomes.map((outcome) => [outcome.outcome, outcome.itemId]),
        [['duplicate', 1]],
      );
    } finally {
      caseFolder.close();
    }
  });
});
