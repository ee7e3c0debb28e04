/**
 * The near-duplicate groups the grid and the item view show are kept between listings, and are
 * right after an import adds a near-duplicate: a real case folder, real photos imported through the
 * workstation's own channels, then copies made as a phone or a website would (JPEG quality 70,
 * half size, mirrored) imported later. The groups kept are compared with the groups computed
 * afresh from the case, and the kept ones are used again only while nothing was added.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { caseNearDuplicateGroups } from '../../main/case/near-duplicates.ts';
import type { EvidenceSummary } from '../../main/ipc/contract/index.ts';
import { nearDuplicateGroupsOf } from '../../main/workstation/near-duplicate-cache.ts';
import { WorkstationService } from '../../main/workstation/workstation-service.ts';
import { writeSettings } from '../../main/workstation/workspace-settings.ts';
import { copyPhotos, makeTempDir, photosDir, removeTempDir } from '../case/case-fixtures.ts';

// Photos whose copies stay within 31 bits of their original (test/triage/photo-copies.test.ts).
const ORIGINALS = ['china.jpg', 'flower.jpg', 'skimage-chelsea.png'];

let root: string;
let workspace: string;
let service: WorkstationService;

before(async () => {
  root = await makeTempDir('near-dup-cache');
  workspace = join(root, 'workspace');
  await mkdir(workspace);
  await writeSettings(workspace, { examiner: 'A. Jones', blurByDefault: true });
  service = new WorkstationService({ workspace, host: 'browser', nativeFolderDialog: false });
});

after(async () => {
  await service?.close();
  await removeTempDir(root);
});

async function importInto(caseId: string, sources: string[]): Promise<void> {
  const { jobId } = await service.handlers['jobs.start']({ kind: 'import', caseId, sources });
  await service.jobs.whenIdle();
  const job = service.jobs.list().find((candidate) => candidate.jobId === jobId)!;
  assert.equal(job.state, 'completed', job.error ?? '');
}

/** Each listed group once, as names: what the grid shows, in a form that does not depend on item numbers. */
function listedGroups(items: EvidenceSummary[]): string[][] {
  const nameOf = new Map(items.map((item) => [item.itemId, item.originalName]));
  const groups = new Map(items.flatMap((item) => (item.nearDuplicates ? [[item.nearDuplicates.members.join(','), item.nearDuplicates.members]] : [])));
  return [...groups.values()].map((members) => members.map((itemId) => nameOf.get(itemId)!).sort()).sort((a, b) => a[0].localeCompare(b[0]));
}

test('near-duplicate groups are kept between listings and right after an import adds a near-duplicate', { timeout: 600_000 }, async () => {
  const { caseId } = await service.handlers['cases.create']({ number: 'ND-1', title: 'near-duplicates kept' });
  await importInto(caseId, await copyPhotos(join(root, 'originals'), ORIGINALS));

  const first = await service.handlers['evidence.list']({ caseId });
  assert.equal(first.length, 3);
  assert.deepEqual(listedGroups(first), [], 'three different photos: no group');
  assert.deepEqual(
    (await service.handlers['evidence.list']({ caseId })).map((item) => item.nearDuplicates),
    [null, null, null],
  );

  // The copies arrive in a later import: a re-encode of one photo, a half-size and a mirrored copy of another.
  const copies = join(root, 'copies');
  await mkdir(copies);
  await sharp(join(photosDir, 'china.jpg')).jpeg({ quality: 70 }).toFile(join(copies, 'china-q70.jpg'));
  const { width } = await sharp(join(photosDir, 'skimage-chelsea.png')).metadata();
  await sharp(join(photosDir, 'skimage-chelsea.png'))
    .resize({ width: Math.round(width! / 2) })
    .png()
    .toFile(join(copies, 'chelsea-half.png'));
  await sharp(join(photosDir, 'skimage-chelsea.png')).flop().png().toFile(join(copies, 'chelsea-mirrored.png'));
  await importInto(caseId, [copies]);

  const second = await service.handlers['evidence.list']({ caseId });
  assert.equal(second.length, 6);
  assert.deepEqual(listedGroups(second), [
    ['chelsea-half.png', 'chelsea-mirrored.png', 'skimage-chelsea.png'],
    ['china-q70.jpg', 'china.jpg'],
  ]);
  const flower = second.find((item) => item.originalName === 'flower.jpg')!;
  assert.equal(flower.nearDuplicates, null);

  // The item view of a copy says the same, and the groups kept are those computed afresh from the case.
  const mirrored = second.find((item) => item.originalName === 'chelsea-mirrored.png')!;
  const detail = await service.handlers['evidence.get']({ caseId, itemId: mirrored.itemId });
  assert.deepEqual(detail.nearDuplicates, mirrored.nearDuplicates);
  const opened = await CaseFolder.open(join(workspace, 'ND-1'), { readonly: true });
  try {
    const fresh = caseNearDuplicateGroups(opened.db);
    assert.deepEqual(
      fresh.map((group) => ({ representative: group.representative, members: group.members })),
      [...new Map(second.flatMap((item) => (item.nearDuplicates ? [[item.nearDuplicates.representative, item.nearDuplicates]] : []))).values()].sort(
        (a, b) => a.members[0] - b.members[0],
      ),
    );
  } finally {
    opened.close();
  }
});

test('the kept groups are used again while nothing is added, and computed again once another connection imports', { timeout: 600_000 }, async () => {
  const { caseId } = await service.handlers['cases.create']({ number: 'ND-2', title: 'kept across connections' });
  await importInto(caseId, await copyPhotos(join(root, 'originals-2'), ['darknet-dog.jpg', 'skimage-coffee.png']));

  // A second connection to the case (as the CLI would have): the service's imports reach it through the file.
  const watcher = await CaseFolder.open(join(workspace, 'ND-2'), { readonly: true });
  try {
    const before = nearDuplicateGroupsOf(watcher.db);
    assert.deepEqual(before, []);
    assert.equal(nearDuplicateGroupsOf(watcher.db), before, 'nothing added: the same groups, not computed again');
    const tagged = (await service.handlers['evidence.list']({ caseId }))[0];
    await service.handlers['evidence.setCategory']({ caseId, itemIds: [tagged.itemId], category: 'CAT-3' });
    assert.equal(nearDuplicateGroupsOf(watcher.db), before, 'a category changes no group');

    const copies = join(root, 'copies-2');
    await mkdir(copies);
    await sharp(join(photosDir, 'darknet-dog.jpg')).flop().png().toFile(join(copies, 'dog-mirrored.png'));
    await importInto(caseId, [copies]);

    const after = nearDuplicateGroupsOf(watcher.db);
    assert.notEqual(after, before);
    const dogs = [...watcher.db.items()].filter((item) => item.originalName !== 'skimage-coffee.png').map((item) => item.id);
    assert.deepEqual(
      after.map((group) => group.members),
      [dogs],
    );
    assert.deepEqual(after, caseNearDuplicateGroups(watcher.db));
    assert.equal(nearDuplicateGroupsOf(watcher.db), after);
  } finally {
    watcher.close();
  }
});
