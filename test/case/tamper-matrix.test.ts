// One manipulation per test, done as an attacker with write access to the case folder would do
// it (straight SQL on case.sqlite, triggers dropped and put back, bytes edited in the file), on a
// real case made by the real `acsr` command with real photos. Each must make `acsr case verify`
// exit 2 and name the finding; an untouched copy must verify with exit 0.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { chmod, cp, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditEntryHash, type StoredAuditRow } from '../../main/case/audit-chain.ts';
import { CaseDatabase } from '../../main/case/case-database.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import { copyPhotos, makeTempDir, removeTempDir, runAcsr } from './case-fixtures.ts';

let root: string;
let base: string;
let copies = 0;

function acsr(args: string[]): string {
  const result = runAcsr([...args, '--quiet']);
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

before(async () => {
  root = await makeTempDir('tamper');
  const photos = await copyPhotos(join(root, 'in'), ['china.jpg', 'flower.jpg', 'skimage-camera.png']);
  base = join(root, 'base');
  acsr(['case', 'create', '--case', base, '--number', 'TM-1', '--title', 'Reported uploads', '--examiner', 'alice']);
  acsr(['case', 'import', '--case', base, '--in', ...photos, '--examiner', 'alice']);
  acsr(['case', 'tag', '--case', base, '--item', '1', '--category', 'CAT-1', '--examiner', 'bob']);
  acsr(['case', 'tag', '--case', base, '--item', '2', '--tag', 'reviewed', '--examiner', 'bob']);
  acsr(['case', 'note', '--case', base, '--item', '3', '--text', 'greyscale test chart', '--examiner', 'bob']);
  acsr(['case', 'note', '--case', base, '--text', 'batch from the escalation queue', '--examiner', 'alice']);
  // A category given by mistake and undone (the app's Undo): tag 3 and the undo that takes it back.
  acsr(['case', 'tag', '--case', base, '--item', '2', '--category', 'CAT-2', '--examiner', 'bob']);
  const db = CaseDatabase.open(join(base, 'case.sqlite'));
  try {
    db.reverseTags({ tagIds: [db.tagsOf(2).find((tag) => tag.value === 'CAT-2')!.id], examiner: 'alice' });
  } finally {
    db.close();
  }
  // Verifies, writes and records the report, then signs a checkpoint over all of it.
  acsr(['case', 'report', '--case', base, '--format', 'json', '--examiner', 'alice']);
});
after(async () => {
  await removeTempDir(root);
});

/** A fresh copy of the case for one manipulation. */
async function copyOfCase(): Promise<string> {
  const folder = join(root, `copy-${++copies}`);
  await cp(base, folder, { recursive: true });
  return folder;
}

async function verify(folder: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(['case', 'verify', '--case', folder, '--examiner', 'carol', '--quiet'], {
    stdout: { write: (chunk: string) => lines.push(chunk) },
    stderr: { write: (chunk: string) => lines.push(chunk), isTTY: false } as never,
  });
  return { code, out: lines.join('') };
}

/** Exit 2, no internal error, and a BROKEN line matching `finding`. */
async function assertNamed(folder: string, finding: RegExp): Promise<string> {
  const { code, out } = await verify(folder);
  assert.equal(code, 2, out);
  assert.doesNotMatch(out, /internal error/);
  assert.ok(
    out.split('\n').some((line) => line.startsWith('BROKEN') && finding.test(line)),
    `no BROKEN line matches ${finding}:\n${out}`,
  );
  return out;
}

/** Runs `work` on a separate connection, as an attacker would, optionally with every trigger out of the way and put back. */
function tamper(folder: string, work: (db: Database.Database) => void, options: { aroundTriggers?: boolean } = {}): void {
  const db = new Database(join(folder, 'case.sqlite'));
  try {
    const triggers = options.aroundTriggers
      ? (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string; sql: string }[])
      : [];
    for (const { name } of triggers) db.exec(`DROP TRIGGER ${name}`);
    work(db);
    for (const { sql } of triggers) db.exec(sql);
  } finally {
    db.close();
  }
}

function auditRows(db: Database.Database): StoredAuditRow[] {
  return db
    .prepare(
      'SELECT sequence, time, examiner, os_user AS osUser, action, subject, parameters, previous_sha256 AS previousSha256, sha256 FROM audit_log ORDER BY sequence',
    )
    .all() as StoredAuditRow[];
}

/** Rewrites every hash from the first entry on, as someone without the examiner's key would after editing entries. */
function rebuildChain(db: Database.Database, edit: (row: StoredAuditRow) => StoredAuditRow): void {
  let previous = '0'.repeat(64);
  const update = db.prepare('UPDATE audit_log SET parameters = ?, previous_sha256 = ?, sha256 = ? WHERE sequence = ?');
  for (const original of auditRows(db)) {
    const row = edit(original);
    const sha256 = auditEntryHash({ ...row, parameters: JSON.parse(row.parameters), previousSha256: previous });
    update.run(row.parameters, previous, sha256, row.sequence);
    previous = sha256;
  }
}

/** The file offset of the page that holds a table's or index's root. */
async function rootPageOffset(folder: string, name: string): Promise<number> {
  const db = new Database(join(folder, 'case.sqlite'), { readonly: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const rootpage = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(name) as number;
    return (rootpage - 1) * pageSize;
  } finally {
    db.close();
  }
}

describe('the tamper matrix: acsr case verify names every manipulation', () => {
  it('passes the untouched case with exit 0, printing the head hash and the signed checkpoint', async () => {
    const folder = await copyOfCase();
    const { code, out } = await verify(folder);
    assert.equal(code, 0, out);
    assert.match(out, /^audit log {3}\d+ entries checked, head [0-9a-f]{64}$/m);
    assert.match(out, /^checkpoint {2}entry \d+ signed by alice on \S+ \(key [0-9a-f]{64}\); 0 later entries not yet signed$/m);
    assert.match(out, /^reports {5}1 report files re-hashed$/m);
  });

  it('a tag row inserted that the chain does not have', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) =>
      db
        .prepare(`INSERT INTO tags (item_id, kind, value, comment, examiner_id, created_at) VALUES (1, 'category', 'CAT-5', NULL, 2, ?)`)
        .run(new Date().toISOString()),
    );
    await assertNamed(folder, /\[record\] category 4 on item 1 \(china\.jpg\): no audit entry records this tag: the row in tags was added outside the program/);
  });

  it('a category updated around the triggers', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec(`UPDATE tags SET value = 'CAT-5' WHERE kind = 'category'`), { aroundTriggers: true });
    await assertNamed(
      folder,
      /\[record\] category 1 on item 1 \(china\.jpg\): the value is "CAT-5" in tags, but audit entry \d+ recorded "CAT-1": the row was edited \(audit entry \d+\)/,
    );
  });

  it('a tag row deleted', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec(`DELETE FROM tags WHERE value = 'reviewed'`), { aroundTriggers: true });
    await assertNamed(folder, /\[record\] tag 2 on item 2 \(flower\.jpg\): audit entry \d+ records this tag, but its row in tags is gone: it was deleted/);
  });

  it('an undo deleted, which would bring a taken-back category back into effect', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec('DELETE FROM tag_reversals'), { aroundTriggers: true });
    await assertNamed(folder, /\[record\] undo 1: audit entry \d+ records this undo of a tag, but its row in tag_reversals is gone: it was deleted/);
  });

  it('an undo inserted that the chain does not have, taking back a category', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.prepare('INSERT INTO tag_reversals (tag_id, examiner_id, created_at) VALUES (1, 2, ?)').run(new Date().toISOString()));
    await assertNamed(folder, /\[record\] undo 2 of tag 1: no audit entry records this undo of a tag: the row in tag_reversals was added outside the program/);
  });

  it('an undo pointed at another tag around the triggers', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec('UPDATE tag_reversals SET tag_id = 1'), { aroundTriggers: true });
    await assertNamed(folder, /\[record\] undo 1 of tag 1: the tag taken back is 1 in tag_reversals, but audit entry \d+ recorded 3: the row was edited/);
  });

  it('a note row deleted', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec('DELETE FROM notes WHERE item_id = 3'), { aroundTriggers: true });
    await assertNamed(folder, /\[record\] note 1 on item 3 \(skimage-camera\.png\): audit entry \d+ records this note, but its row in notes is gone/);
  });

  it('a note inserted', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) =>
      db.prepare(`INSERT INTO notes (case_id, item_id, text, examiner_id, created_at) VALUES (1, 2, 'nothing to see', 2, ?)`).run(new Date().toISOString()),
    );
    await assertNamed(folder, /\[record\] note 3 on item 2 \(flower\.jpg\): no audit entry records this note/);
  });

  it('original name, width, height and media type edited around a dropped and re-created trigger', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec(`UPDATE evidence_items SET original_name = 'holiday.jpg', width = 10, height = 20, media_type = 'image/png' WHERE id = 1`), {
      aroundTriggers: true,
    });
    const out = await assertNamed(
      folder,
      /\[record\] item 1 \(china\.jpg\): the original name is "holiday\.jpg" in evidence_items, but audit entry \d+ recorded "china\.jpg"/,
    );
    for (const field of ['width is 10', 'height is 20', 'media type is "image/png"'])
      assert.match(out, new RegExp(`item 1 \\(china\\.jpg\\): the ${field} in evidence_items`));
  });

  it('a trigger replaced by a same-named no-op', async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec('DROP TRIGGER tags_no_update; CREATE TRIGGER tags_no_update BEFORE UPDATE ON tags BEGIN SELECT 1; END;'));
    await assertNamed(folder, /\[append-only-guard\] table tags: trigger tags_no_update is not the one the program creates \(its SQL text was replaced\)/);
  });

  it("an examiner's name edited, which would re-attribute their tags and notes", async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec(`UPDATE examiners SET name = 'mallory' WHERE name = 'bob'`));
    await assertNamed(folder, /\[record\] examiner 2 \("bob"\): the name is "mallory" in examiners, but audit entry \d+ recorded "bob"/);
  });

  it("the case's title edited", async () => {
    const folder = await copyOfCase();
    tamper(folder, (db) => db.exec(`UPDATE cases SET title = 'Nothing found'`));
    await assertNamed(folder, /\[record\] the case "TM-1": the title is "Nothing found" in cases, but audit entry 2 recorded "Reported uploads"/);
  });

  /** Deletes the entries from the last note on, and every row they recorded. */
  function truncateTail(db: Database.Database, options: { checkpointsToo: boolean }): number {
    const rows = auditRows(db);
    const cut = rows.filter((row) => row.action === 'note').at(-1)!.sequence;
    for (const row of rows.filter((candidate) => candidate.sequence >= cut)) {
      const parameters = JSON.parse(row.parameters) as Record<string, number>;
      if (row.action === 'note') db.prepare('DELETE FROM notes WHERE id = ?').run(parameters.noteId);
      if (row.action === 'report') db.prepare('DELETE FROM reports WHERE id = ?').run(parameters.reportId);
      if (row.action === 'examiner-key') db.prepare('DELETE FROM examiner_keys WHERE id = ?').run(parameters.keyId);
    }
    db.prepare('DELETE FROM audit_log WHERE sequence >= ?').run(cut);
    if (options.checkpointsToo) db.exec('DELETE FROM checkpoints');
    return cut;
  }

  it('the last audit entries deleted together with their rows: the signed checkpoint names the cut', async () => {
    const folder = await copyOfCase();
    let cut = 0;
    tamper(folder, (db) => (cut = truncateTail(db, { checkpointsToo: false })), { aroundTriggers: true });
    await assertNamed(
      folder,
      new RegExp(
        `\\[checkpoint\\] checkpoint 1 \\(entry \\d+, signed by alice on \\S+\\): alice signed entry \\d+ \\(head [0-9a-f]{64}\\) on \\S+, but the chain now ends at entry ${cut - 1}: entries ${cut}\\.\\.\\d+ and the rows they recorded were deleted`,
      ),
    );
  });

  it("the tail and the case's checkpoints deleted: the signer's own journal names the cut", async () => {
    const folder = await copyOfCase();
    let cut = 0;
    tamper(folder, (db) => (cut = truncateTail(db, { checkpointsToo: true })), { aroundTriggers: true });
    const out = await assertNamed(
      folder,
      /\[checkpoint\] the checkpoint alice signed on this workstation on \S+ \(entry \d+\): it is missing from the case's checkpoints/,
    );
    assert.match(out, new RegExp(`but the chain now ends at entry ${cut - 1}`));
  });

  it('the whole chain rebuilt without the key (a category changed, every hash recomputed)', async () => {
    const folder = await copyOfCase();
    tamper(
      folder,
      (db) => {
        db.exec(`UPDATE tags SET value = 'CAT-5' WHERE kind = 'category' AND value = 'CAT-1'`);
        rebuildChain(db, (row) => (row.action === 'tag' ? { ...row, parameters: row.parameters.replace('"CAT-1"', '"CAT-5"') } : row));
      },
      { aroundTriggers: true },
    );
    const out = await assertNamed(
      folder,
      /\[checkpoint\] checkpoint 1 \(entry \d+, signed by alice on \S+\): alice signed entry \d+ with hash [0-9a-f]{64} on \S+, but that entry's hash is now [0-9a-f]{64}: the chain up to there was rewritten/,
    );
    // The chain and the records agree with each other: only the signature tells.
    assert.doesNotMatch(out, /\[audit-chain\]|\[record\]/);
  });

  it('a report file edited after it was written', async () => {
    const folder = await copyOfCase();
    const db = new Database(join(folder, 'case.sqlite'), { readonly: true });
    const recorded = db.prepare('SELECT path FROM reports').pluck().get() as string;
    db.close();
    const path = join(folder, 'reports', recorded.split('/').at(-1)!);
    await chmod(path, 0o644);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"CAT-1"', '"CAT-5"'));
    await assertNamed(
      folder,
      /\[report-file\] report 1 \(json, .*\): the file's SHA-256 is [0-9a-f]{64}, but audit entry \d+ recorded [0-9a-f]{64} when it was written: the report was edited afterwards/,
    );
  });

  it("an index page corrupted: SQLite's integrity check fails", async () => {
    const folder = await copyOfCase();
    const offset = await rootPageOffset(folder, 'tags_by_item');
    const file = await open(join(folder, 'case.sqlite'), 'r+');
    try {
      const page = Buffer.alloc(4096);
      await file.read(page, 0, page.length, offset);
      const at = page.indexOf('category');
      assert.ok(at > 0, 'the index page holds the category tag');
      await file.write(Buffer.from('categorz'), 0, 8, offset + at);
    } finally {
      await file.close();
    }
    await assertNamed(folder, /\[database-integrity\] case\.sqlite: SQLite's integrity check fails: .*tags_by_item/);
  });

  it('a data page corrupted: a named finding with exit 2, not an internal error', async () => {
    const folder = await copyOfCase();
    const offset = await rootPageOffset(folder, 'notes');
    const file = await open(join(folder, 'case.sqlite'), 'r+');
    try {
      // The b-tree page type byte: 0x00 is no page type at all.
      await file.write(Buffer.from([0x00]), 0, 1, offset);
    } finally {
      await file.close();
    }
    await assertNamed(
      folder,
      /\[database-integrity\] case\.sqlite: the database file is damaged: reading table notes failed with "database disk image is malformed"/,
    );
  });
});
