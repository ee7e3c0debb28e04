// Hash list matches kept in the case, on real photos: a list built from the shared originals is in
// the workspace before the evidence arrives; the evidence is a JPEG q70 re-encode, a half-size
// copy and a horizontal mirror of each photo. The import matches them by itself and keeps each
// match (list, version, category, distance, variant) with an audit entry; a list added later is
// matched by `acsr case match`, which adds only what is new and changes nothing found before;
// verification replays every kept match from the chain and catches one deleted behind its back.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { computePdqDihedralOfFile } from '../../main/pdq/pdq.ts';
import { makeTempDir, NEAR_COPIES, nearCopyName, photosDir, removeTempDir, writeNearCopies } from '../case/case-fixtures.ts';
import { jsonSummary, runAcsrInProcess } from '../support/acsr-in-process.ts';

/** Photos whose three copies all stay within 31 bits of their original (test/triage/photo-copies.test.ts pins the few that do not). */
const PHOTOS = ['china.jpg', 'darknet-dog.jpg', 'flower.jpg', 'skimage-astronaut.png', 'skimage-chelsea.png', 'skimage-coffee.png'];

let workspace: string;
let caseDir: string;
let input: string;

function caseRows(sql: string): any[] {
  const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

before(async () => {
  workspace = await makeTempDir('stored-matches');
  caseDir = join(workspace, '2026-0101');
  input = join(workspace, 'uploads');
  await mkdir(input);
  const lines = ['hash,kind,category,source'];
  for (const photo of PHOTOS) {
    await writeNearCopies(input, photo);
    lines.push(`${(await computePdqDihedralOfFile(join(photosDir, photo))).original.hash},pdq,CAT-2,${photo}`);
  }
  await writeFile(join(workspace, 'originals.csv'), lines.join('\n') + '\n');
  jsonSummary(
    await runAcsrInProcess([
      'hashlist',
      'import',
      '--workspace',
      workspace,
      '--file',
      join(workspace, 'originals.csv'),
      '--name',
      'originals',
      '--examiner',
      'A. Jones',
      '--json',
    ]),
  );
  jsonSummary(await runAcsrInProcess(['case', 'create', '--case', caseDir, '--number', '2026-0101', '--title', 'Copies', '--examiner', 'A. Jones', '--json']));
});

after(async () => {
  await removeTempDir(workspace);
});

describe('hash list matches kept in the case', () => {
  it('an import matches its new items against the lists already in the workspace and keeps every match', async () => {
    const imported = jsonSummary(await runAcsrInProcess(['case', 'import', '--case', caseDir, '--in', input, '--examiner', 'A. Jones', '--json', '--quiet']));
    assert.equal(imported.imported, PHOTOS.length * NEAR_COPIES.length);
    assert.deepEqual(imported.hashListMatches, { lists: 1, itemsChecked: 18, matchedItems: 18, added: 18 });

    const listed = jsonSummary(await runAcsrInProcess(['case', 'list', '--case', caseDir, '--matched', '--json']));
    assert.equal(listed.count, 18);
    const variants: Record<string, string> = {};
    for (const item of listed.items) {
      // Each copy matches its own original's line, and no other photo's.
      const photo = PHOTOS.find((name) => NEAR_COPIES.some((copy) => nearCopyName(name, copy) === item.originalName))!;
      assert.equal(item.hashMatches.length, 1, `${item.originalName}: ${JSON.stringify(item.hashMatches)}`);
      const [match] = item.hashMatches;
      assert.deepEqual([match.listName, match.kind, match.category, match.source, match.line], ['originals', 'pdq', 'CAT-2', photo, PHOTOS.indexOf(photo) + 2]);
      assert.ok(match.distance >= 0 && match.distance <= 31, `${item.originalName} at ${match.distance} bits`);
      assert.equal(
        match.listSha256,
        createHash('sha256')
          .update(readFileSync(join(workspace, 'originals.csv')))
          .digest('hex'),
      );
      variants[item.originalName] = match.variant;
    }
    // The mirror is found through a mirrored variant; the re-encode and the half size as they are.
    for (const photo of PHOTOS) {
      assert.equal(variants[nearCopyName(photo, 'q70')], 'original');
      assert.equal(variants[nearCopyName(photo, 'half')], 'original');
      assert.notEqual(variants[nearCopyName(photo, 'mirrored')], 'original');
    }
    // Kept rows: the import's hashes of every item, and one audit entry listing the matches it added.
    assert.equal(caseRows('SELECT * FROM item_match_hashes').length, 18);
    const entries = caseRows(`SELECT examiner, parameters FROM audit_log WHERE action = 'hashlist-match'`);
    assert.equal(entries.length, 1);
    assert.equal(JSON.parse(entries[0].parameters).added.length, 18);
    assert.equal((await runAcsrInProcess(['case', 'verify', '--case', caseDir, '--examiner', 'A. Jones', '--quiet'])).code, 0);
  });

  it("groups each photo's three copies as near-duplicates", async () => {
    const shown = jsonSummary(await runAcsrInProcess(['case', 'show', '--case', caseDir, '--json']));
    const names = new Map(
      jsonSummary(await runAcsrInProcess(['case', 'list', '--case', caseDir, '--json'])).items.map((item: any) => [item.id, item.originalName]),
    );
    const groups = shown.nearDuplicateGroups.map((group: any) => group.members.map((id: number) => names.get(id)).sort());
    assert.deepEqual(groups.sort(), PHOTOS.map((photo) => NEAR_COPIES.map((copy) => nearCopyName(photo, copy)).sort()).sort());
    assert.equal(shown.hashMatches.matchedItems, 18);
  });

  it('a list added later is matched by case match, which adds only new findings and keeps the earlier ones as they were', async () => {
    const before = caseRows('SELECT * FROM hash_matches ORDER BY id');
    const dogCopy = join(input, nearCopyName('darknet-dog.jpg', 'q70'));
    const sha1 = createHash('sha1').update(readFileSync(dogCopy)).digest('hex');
    await writeFile(join(workspace, 'exact.csv'), `sha1,category,source\n${sha1},CAT-1,seized phone\n`);
    jsonSummary(
      await runAcsrInProcess([
        'hashlist',
        'import',
        '--workspace',
        workspace,
        '--file',
        join(workspace, 'exact.csv'),
        '--name',
        'exact',
        '--examiner',
        'B. Smith',
        '--json',
      ]),
    );

    const matched = jsonSummary(await runAcsrInProcess(['case', 'match', '--case', caseDir, '--examiner', 'B. Smith', '--json', '--quiet']));
    assert.equal(matched.added, 1);
    assert.equal(matched.matches.length, 19);
    const rows = caseRows('SELECT * FROM hash_matches ORDER BY id');
    assert.deepEqual(rows.slice(0, before.length), before);
    const added = rows.at(-1);
    assert.deepEqual(
      [added.list_name, added.kind, added.distance, added.variant, added.category, added.source],
      ['exact', 'sha1', 0, null, 'CAT-1', 'seized phone'],
    );

    const again = jsonSummary(await runAcsrInProcess(['case', 'match', '--case', caseDir, '--examiner', 'B. Smith', '--json', '--quiet']));
    assert.equal(again.added, 0);
    assert.equal(caseRows('SELECT * FROM hash_matches').length, 19);
    assert.equal(caseRows(`SELECT * FROM audit_log WHERE action = 'hashlist-match'`).length, 3);

    const item = jsonSummary(await runAcsrInProcess(['case', 'show', '--case', caseDir, '--item', String(added.item_id), '--json']));
    assert.deepEqual(item.hashMatches.map((match: any) => match.listName).sort(), ['exact', 'originals']);
    assert.equal(item.nearDuplicates.length, 2);
    assert.equal((await runAcsrInProcess(['case', 'verify', '--case', caseDir, '--examiner', 'B. Smith', '--quiet'])).code, 0);
  });

  it('the reports list every kept match and the near-duplicate groups', async () => {
    const outDir = join(workspace, 'export');
    await mkdir(outDir);
    const [jsonPath, htmlPath, pdfPath] = ['json', 'html', 'pdf'].map((ext) => join(outDir, `report.${ext}`));
    const written = await runAcsrInProcess(['case', 'report', '--case', caseDir, '--out', jsonPath, htmlPath, pdfPath, '--examiner', 'B. Smith', '--quiet']);
    assert.equal(written.code, 0, written.stderr);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
    assert.equal(report.hashLists.matchedItems, 18);
    assert.equal(report.hashLists.matches.length, 19);
    assert.ok(report.hashLists.matches.every((match: any) => match.kind !== 'pdq' || (match.distance <= 31 && match.threshold === 31)));
    assert.equal(report.nearDuplicateGroups.length, PHOTOS.length);
    const html = readFileSync(htmlPath, 'utf8');
    assert.match(html, /<h2 id="triage">Hash lists and near-duplicates<\/h2>/);
    assert.match(html, /PDQ, \d+ bits? apart \(mirrored left to right\)/);
    assert.match(html, /exact SHA-1/);
    assert.equal((html.match(/ near-duplicates \(item \d+ has the most reliable PDQ hash\)/g) ?? []).length, PHOTOS.length);
    assert.equal(readFileSync(pdfPath).subarray(0, 5).toString(), '%PDF-');
  });

  it('verification names a kept match deleted behind the program’s back', async () => {
    const db = new Database(join(caseDir, 'case.sqlite'));
    const id = db.prepare('SELECT max(id) FROM hash_matches').pluck().get() as number;
    db.exec('DROP TRIGGER hash_matches_no_delete');
    db.prepare('DELETE FROM hash_matches WHERE id = ?').run(id);
    db.close();
    const verified = await runAcsrInProcess(['case', 'verify', '--case', caseDir, '--examiner', 'B. Smith']);
    assert.notEqual(verified.code, 0);
    assert.match(verified.stdout + verified.stderr, new RegExp(`hash list match ${id} of item \\d+ .*its row in hash_matches is gone: it was deleted`));
  });
});
