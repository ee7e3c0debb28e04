// Undo of tags and categories on a real case: the tag rows stay, a reversal is added with an
// audit entry naming the entries it reverses, the earlier category comes back, and the case
// still verifies; the verification records which items its findings are on.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { copyPhotos, makeTempDir, removeTempDir, runAcsr } from './case-fixtures.ts';

let root: string;
let photos: string[];

before(async () => {
  root = await makeTempDir('tag-undo');
  photos = await copyPhotos(join(root, 'in'), ['china.jpg', 'flower.jpg', 'skimage-camera.png']);
});
after(async () => {
  await removeTempDir(root);
});

describe('undoing a tag or category change', () => {
  it('takes back a bulk category with one audited reversal, brings the earlier category back, and verifies', async () => {
    const caseFolder = await CaseFolder.create(join(root, 'case-1'), { number: 'U-1', title: 'undo', examiner: 'alice' });
    try {
      await caseFolder.importEvidence(photos, { examiner: 'alice' });
      caseFolder.db.addTag({ itemId: 1, category: 'CAT-3', examiner: 'alice' });
      const bulk = caseFolder.db.addTags({ itemIds: [1, 2, 3], category: 'CAT-1', examiner: 'bob' });
      assert.equal(bulk.length, 3);
      assert.deepEqual(
        caseFolder.db.listItems().map((item) => item.category),
        ['CAT-1', 'CAT-1', 'CAT-1'],
      );

      const reversal = caseFolder.db.reverseTags({ tagIds: bulk, examiner: 'bob' });
      assert.deepEqual(reversal.itemIds, [1, 2, 3]);
      // Item 1 had CAT-3 before the bulk change; the others had none.
      assert.deepEqual(
        caseFolder.db.listItems().map((item) => item.category),
        ['CAT-3', null, null],
      );
      assert.deepEqual(
        caseFolder.db.listItems({ uncategorised: true }).map((item) => item.id),
        [2, 3],
      );
      // Nothing is deleted: the history keeps the change, marked as taken back.
      assert.deepEqual(
        caseFolder.db.tagsOf(1).map((tag) => [tag.value, tag.reversed]),
        [
          ['CAT-3', false],
          ['CAT-1', true],
        ],
      );

      const rows = [...caseFolder.db.auditRows()];
      const tagEntries = rows.filter((row) => row.action === 'tag' && bulk.includes(JSON.parse(row.parameters).tagId as number));
      const undoEntry = rows.find((row) => row.action === 'tag-reverse')!;
      assert.equal(undoEntry.sequence, reversal.auditSequence);
      const parameters = JSON.parse(undoEntry.parameters) as { tagIds: number[]; reverses: number[] };
      assert.deepEqual(parameters.tagIds, bulk);
      assert.deepEqual(
        parameters.reverses,
        tagEntries.map((row) => row.sequence),
      );

      assert.throws(() => caseFolder.db.reverseTags({ tagIds: [bulk[0]!], examiner: 'bob' }), /already undone/);
      const verification = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(verification.ok, true, verification.firstBrokenLink ?? '');
    } finally {
      caseFolder.close();
    }
    // The command line agrees: the category in effect, and the undone one marked in the history.
    const shown = runAcsr(['case', 'show', '--case', join(root, 'case-1'), '--item', '1', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const json = JSON.parse(shown.stdout.trim().split('\n').at(-1)!) as { category: string; tags: { value: string; reversed?: boolean }[] };
    assert.equal(json.category, 'CAT-3');
    assert.deepEqual(
      json.tags.map((tag) => [tag.value, tag.reversed ?? false]),
      [
        ['CAT-3', false],
        ['CAT-1', true],
      ],
    );
  });

  it('a bulk tag with an unknown item tags nothing', async () => {
    const caseFolder = await CaseFolder.create(join(root, 'case-2'), { number: 'U-2', title: 'undo', examiner: 'alice' });
    try {
      await caseFolder.importEvidence(photos.slice(0, 2), { examiner: 'alice' });
      assert.throws(() => caseFolder.db.addTags({ itemIds: [1, 99], tag: 'reviewed', examiner: 'bob' }), /no evidence item 99/);
      assert.deepEqual(caseFolder.db.tagsOf(1), []);
    } finally {
      caseFolder.close();
    }
  });

  it('a failed verification records the items its findings are on', async () => {
    const caseFolder = await CaseFolder.create(join(root, 'case-3'), { number: 'U-3', title: 'undo', examiner: 'alice' });
    try {
      await caseFolder.importEvidence(photos, { examiner: 'alice' });
      caseFolder.db.addTag({ itemId: 2, category: 'CAT-5', examiner: 'bob' });
      const db = new Database(join(caseFolder.folder, 'case.sqlite'));
      db.exec('DROP TRIGGER tags_no_update');
      db.exec(`UPDATE tags SET value = 'CAT-1' WHERE item_id = 2`);
      db.close();
      const verification = await caseFolder.verify({ examiner: 'carol' });
      assert.equal(verification.ok, false);
      const recorded = JSON.parse(caseFolder.db.latestAudit('verify')!.parameters) as { ok: boolean; affectedItemIds: number[] };
      assert.equal(recorded.ok, false);
      assert.deepEqual(recorded.affectedItemIds, [2]);
    } finally {
      caseFolder.close();
    }
  });
});
