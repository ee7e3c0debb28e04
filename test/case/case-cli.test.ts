// `acsr case ...` as a child process, the way scripts and the desktop app's users meet it.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { chmod, chown, mkdir, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyPhotos, makeTempDir, photosDir, removeTempDir, runAcsr } from './case-fixtures.ts';

let root: string;
before(async () => {
  root = await makeTempDir('cli');
  await chmod(root, 0o755);
});
after(async () => {
  await removeTempDir(root);
});

function json(result: ReturnType<typeof runAcsr>): any {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.lastLine);
}

describe('acsr case', () => {
  it('creates a case, imports, tags, notes, lists, shows and verifies it; verify exits 2 naming the first broken link after tampering', async () => {
    const input = join(root, 'in');
    await copyPhotos(input, ['china.jpg', 'flower.jpg', 'skimage-camera.png']);
    await writeFile(join(input, 'broken.jpg'), 'not a jpeg');
    const caseDir = join(root, 'case');

    const created = json(
      runAcsr([
        'case',
        'create',
        '--case',
        caseDir,
        '--number',
        '2026-0042',
        '--title',
        'Reported uploads',
        '--requester',
        'T&S',
        '--examiner',
        'A. Jones',
        '--json',
      ]),
    );
    assert.deepEqual([created.case.number, created.case.requester, created.case.createdBy], ['2026-0042', 'T&S', 'A. Jones']);

    const importRun = runAcsr(['case', 'import', '--case', caseDir, '--in', input, '--examiner', 'A. Jones', '--json', '--quiet']);
    const imported = json(importRun);
    assert.deepEqual([imported.imported, imported.total, imported.errors.length], [3, 4, 1]);
    assert.deepEqual(imported.errors[0], {
      sourcePath: join(input, 'broken.jpg'),
      kind: 'not-an-image',
      message: `${join(input, 'broken.jpg')}: not a recognised image file (supported: PNG, JPEG, WebP, TIFF)`,
    });
    assert.match(importRun.stdout, /^error {6}\[not-an-image\] .*broken\.jpg: not a recognised image file/m);
    assert.match(importRun.stdout, /^import job 1: 3 imported, 0 duplicates skipped, 1 errors, of 4$/m);
    assert.deepEqual([imported.contentFilter.modelId, imported.contentFilter.scored], ['nsfwjs-mobilenet-v2', 3]);
    assert.match(importRun.stdout, /^content filter nsfwjs-mobilenet-v2: 3 items scored$/m);

    const again = runAcsr(['case', 'import', '--case', caseDir, '--in', join(input, 'china.jpg'), '--examiner', 'A. Jones', '--quiet']);
    assert.match(again.stdout, /^duplicate {2}.*china\.jpg: same content as item 1, skipped$/m);

    json(runAcsr(['case', 'tag', '--case', caseDir, '--item', '2', '--category', 'CAT-5', '--comment', 'flower photo', '--examiner', 'B. Smith', '--json']));
    json(runAcsr(['case', 'tag', '--case', caseDir, '--item', '3', '--tag', 'reviewed', '--examiner', 'B. Smith', '--json']));
    json(runAcsr(['case', 'note', '--case', caseDir, '--item', '3', '--text', 'greyscale, test chart', '--examiner', 'B. Smith', '--json']));

    const listed = json(runAcsr(['case', 'list', '--case', caseDir, '--category', 'CAT-5', '--json']));
    assert.deepEqual(
      listed.items.map((item: { id: number }) => item.id),
      [2],
    );
    const untagged = json(runAcsr(['case', 'list', '--case', caseDir, '--category', 'none', '--tag', 'reviewed', '--json']));
    assert.deepEqual(
      untagged.items.map((item: { id: number; tags: string[] }) => [item.id, item.tags]),
      [[3, ['reviewed']]],
    );

    const shown = json(runAcsr(['case', 'show', '--case', caseDir, '--item', '3', '--json']));
    assert.deepEqual(
      shown.notes.map((note: { text: string }) => note.text),
      ['greyscale, test chart'],
    );
    assert.deepEqual(
      shown.auditEntries.map((entry: { action: string }) => entry.action),
      // The content filter's verdict on the evidence, given at import, is the item's second entry.
      ['import', 'classify', 'tag', 'note'],
    );

    const verified = runAcsr(['case', 'verify', '--case', caseDir, '--examiner', 'C. Lee', '--quiet']);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /verified: the audit chain holds, every record matches its entry, and every evidence and report file matches its hash/);
    assert.match(verified.stdout, /^audit log {3}\d+ entries checked, head [0-9a-f]{64}$/m);

    const db = new Database(join(caseDir, 'case.sqlite'));
    db.exec('DROP TRIGGER audit_log_no_update');
    const tagEntry = db.prepare(`SELECT sequence FROM audit_log WHERE action = 'tag' ORDER BY sequence LIMIT 1`).pluck().get() as number;
    db.prepare(`UPDATE audit_log SET examiner = 'someone else' WHERE sequence = ?`).run(tagEntry);
    db.close();
    const broken = runAcsr(['case', 'verify', '--case', caseDir, '--quiet']);
    assert.equal(broken.code, 2);
    assert.equal(broken.stderr.trim().split('\n').length, 1);
    assert.match(
      broken.stderr,
      new RegExp(
        `^acsr case verify: error: case failed verification \\(3 problems\\); first broken link: audit entry ${tagEntry}: content does not match its hash`,
      ),
    );
    assert.match(broken.stdout, /^BROKEN {6}\[append-only-guard\] table audit_log: trigger audit_log_no_update was removed/m);
    // The entry's examiner no longer matches the tag row it created.
    assert.match(
      broken.stdout,
      new RegExp(
        `^BROKEN {6}\\[record\\] category 1 on item 2 \\(flower\\.jpg\\): the examiner is "B\\. Smith" in tags, but audit entry ${tagEntry} recorded "someone else"`,
        'm',
      ),
    );
  });

  it('explains usage mistakes and non-case folders with exit status 2', () => {
    const noInput = runAcsr(['case', 'import', '--case', root, '--examiner', 'x']);
    assert.deepEqual([noInput.code, noInput.stderr], [2, 'acsr case import: error: give --in DIR|FILE... or --resume\n']);
    const noFilter = runAcsr(['case', 'import', '--case', root, '--in', root, '--classifier', 'no-such-filter', '--examiner', 'x']);
    assert.equal(noFilter.code, 2);
    assert.match(noFilter.stderr, /^acsr case import: error: unknown classifier 'no-such-filter' \(registered: nsfwjs-mobilenet-v2, .*, or none\)\n$/);
    const both = runAcsr(['case', 'tag', '--case', root, '--item', '1', '--category', 'CAT-1', '--tag', 'x', '--examiner', 'x']);
    assert.deepEqual([both.code, both.stderr], [2, 'acsr case tag: error: give exactly one of --category and --tag\n']);
    const notCase = runAcsr(['case', 'show', '--case', root]);
    assert.equal(notCase.code, 2);
    assert.match(notCase.stderr, /is not a case folder \(no case\.sqlite; create one with 'acsr case create'\)/);
  });

  it('reports unreadable files and folders per file and imports the rest', async (context) => {
    // chmod 000 does not stop root, so as root the import runs as the unprivileged user 'nobody'.
    const asRoot = process.getuid?.() === 0;
    if (process.platform === 'win32') return context.skip('POSIX permissions');
    const owner = asRoot ? { uid: 65534, gid: 65534 } : {};
    const input = join(root, 'perm-in');
    const caseDir = join(root, 'perm-case');
    await mkdir(join(input, 'locked-folder'), { recursive: true });
    await copyFile(join(photosDir, 'china.jpg'), join(input, 'readable.jpg'));
    await copyFile(join(photosDir, 'flower.jpg'), join(input, 'locked.jpg'));
    await copyFile(join(photosDir, 'darknet-dog.jpg'), join(input, 'locked-folder', 'inside.jpg'));
    json(runAcsr(['case', 'create', '--case', caseDir, '--number', 'P-1', '--title', 'permissions', '--examiner', 'x', '--json']));
    if (asRoot) {
      for (const path of [
        input,
        join(input, 'readable.jpg'),
        caseDir,
        join(caseDir, 'case.sqlite'),
        join(caseDir, 'evidence'),
        join(caseDir, 'evidence', '.incoming'),
      ]) {
        await chown(path, 65534, 65534);
      }
    }
    await chmod(join(input, 'locked.jpg'), 0o000);
    await chmod(join(input, 'locked-folder'), 0o000);
    try {
      const result = json(runAcsr(['case', 'import', '--case', caseDir, '--in', input, '--examiner', 'x', '--json', '--quiet'], owner));
      assert.equal(result.imported, 1);
      assert.deepEqual(
        result.errors.map((error: { sourcePath: string; kind: string }) => [error.sourcePath.slice(input.length + 1), error.kind]),
        [
          ['locked-folder', 'permission-denied'],
          ['locked.jpg', 'permission-denied'],
        ],
      );
      assert.match(result.errors[1].message, /locked\.jpg: permission denied/);
    } finally {
      await chmod(join(input, 'locked-folder'), 0o755);
    }
  });
});
