import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile, copyFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { CaseFolder, EvidenceIntegrityError } from '../../main/case/case-folder.ts';
import { computePdqOfFile } from '../../main/pdq/pdq.ts';
import { CancelledError, ProgressReporter, type ProgressEvent } from '../../main/progress/progress.ts';
import { copyPhotos, decompressionBombPng, makeTempDir, photoNames, photosDir, removeTempDir, writeDistinctCopies } from './case-fixtures.ts';

let root: string;
before(async () => {
  root = await makeTempDir('import');
});
after(async () => {
  await removeTempDir(root);
});

async function newCase(name: string): Promise<CaseFolder> {
  return CaseFolder.create(join(root, name), { number: name, title: `import test ${name}`, examiner: 'alice' });
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('importing a folder of real photos', () => {
  let caseFolder: CaseFolder;
  let input: string;
  let names: string[];
  const originalsBefore = new Map<string, { bytes: Buffer; mtimeMs: number; mode: number }>();

  before(async () => {
    input = join(root, 'photos-in');
    names = await photoNames();
    // Half at the top, half two folders down: the import must recurse.
    await copyPhotos(input, names.slice(0, 10));
    await copyPhotos(join(input, 'day 2', 'camera'), names.slice(10));
    for (const path of await filesUnder(input)) {
      const info = await stat(path);
      originalsBefore.set(path, { bytes: await readFile(path), mtimeMs: info.mtimeMs, mode: info.mode });
    }
    caseFolder = await newCase('photos');
  });
  after(() => caseFolder.close());

  it('stores every photo read-only under its SHA-256 with digests, size, type and PDQ as the originals give them', async () => {
    const events: ProgressEvent[] = [];
    const summary = await caseFolder.importEvidence([input], { examiner: 'alice', progress: new ProgressReporter((event) => events.push(event)) });
    assert.deepEqual([summary.imported, summary.duplicates, summary.errors, summary.total], [20, 0, 0, 20]);

    const items = [...caseFolder.db.items()];
    assert.equal(items.length, 20);
    for (const item of items) {
      const original = originalsBefore.get(item.originalPath);
      assert.ok(original, `${item.originalPath} is one of the inputs`);
      assert.equal(item.sha256, sha256Of(original.bytes));
      assert.equal(item.md5, createHash('md5').update(original.bytes).digest('hex'));
      assert.equal(item.sizeBytes, original.bytes.length);
      const metadata = await sharp(original.bytes).metadata();
      assert.deepEqual([item.width, item.height], [metadata.width, metadata.height]);
      assert.equal(item.mediaType, item.originalName.endsWith('.png') ? 'image/png' : 'image/jpeg');
      const pdq = await computePdqOfFile(item.originalPath);
      assert.deepEqual([item.pdqHash, item.pdqQuality], [pdq.hash, pdq.quality]);

      const storedPath = join(caseFolder.folder, item.storePath);
      assert.equal(item.storePath, `evidence/${item.sha256.slice(0, 2)}/${item.sha256}`);
      assert.deepEqual(await readFile(storedPath), original.bytes);
      assert.equal((await stat(storedPath)).mode & 0o777, 0o444);
    }
    // Imported in scan order, so item numbers do not depend on timing.
    assert.deepEqual(
      items.map((item) => item.originalPath),
      [...items.map((item) => item.originalPath)].sort(),
    );

    const fractions = events.map((event) => event.fraction);
    assert.deepEqual(
      fractions,
      [...fractions].sort((a, b) => a - b),
    );
    assert.equal(fractions.at(-1), 1);
  });

  it('leaves the originals exactly as they were', async () => {
    for (const [path, before] of originalsBefore) {
      const info = await stat(path);
      assert.deepEqual(await readFile(path), before.bytes, path);
      assert.equal(info.mtimeMs, before.mtimeMs, path);
      assert.equal(info.mode, before.mode, path);
    }
  });

  it('records one import entry per item and the job from start to finish in the audit log', () => {
    const rows = [...caseFolder.db.auditRows()];
    const imports = rows.filter((row) => row.action === 'import');
    assert.equal(imports.length, 20);
    const first = JSON.parse(imports[0].parameters);
    const item = caseFolder.db.getItem(1);
    assert.deepEqual([imports[0].subject, first.sha256, first.md5, first.originalPath], ['item:1', item.sha256, item.md5, item.originalPath]);
    assert.deepEqual(
      rows.filter((row) => row.subject === 'job:1').map((row) => row.action),
      ['import-start', 'import-finish'],
    );
    assert.equal(caseFolder.db.getJob(1).state, 'completed');
  });

  it('skips exact duplicates, also under other names, and says which item they duplicate', async () => {
    const again = join(root, 'photos-again');
    await mkdir(again);
    await copyFile(join(photosDir, 'china.jpg'), join(again, 'renamed.jpg'));
    await copyFile(join(photosDir, 'flower.jpg'), join(again, 'flower-copy.jpg'));
    const summary = await caseFolder.importEvidence([input, again], { examiner: 'bob' });
    assert.deepEqual([summary.imported, summary.duplicates, summary.errors], [0, 22, 0]);
    const renamed = summary.outcomes.find((outcome) => outcome.sourcePath === join(again, 'renamed.jpg'))!;
    assert.equal(renamed.outcome, 'duplicate');
    assert.equal(caseFolder.db.getItem(renamed.itemId!).originalName, 'china.jpg');
    assert.equal(caseFolder.db.itemCount(), 20);
    assert.equal([...caseFolder.db.auditRows()].filter((row) => row.action === 'import-duplicate').length, 22);
  });

  it('reads evidence only after checking its hash, and records an altered file in the audit log', async () => {
    const item = caseFolder.db.getItem(5);
    const { bytes } = await caseFolder.readEvidence(5);
    assert.equal(sha256Of(bytes), item.sha256);

    const storedPath = join(caseFolder.folder, item.storePath);
    await chmod(storedPath, 0o644);
    const altered = Buffer.from(bytes);
    altered[altered.length >> 1] ^= 0xff;
    await writeFile(storedPath, altered);
    await assert.rejects(caseFolder.readEvidence(5, { examiner: 'bob' }), (error: unknown) => {
      assert.ok(error instanceof EvidenceIntegrityError);
      assert.match(error.message, new RegExp(`evidence item 5 .*SHA-256 is ${sha256Of(altered)}, the recorded one is ${item.sha256}`));
      return true;
    });
    const last = [...caseFolder.db.auditRows()].at(-1)!;
    assert.deepEqual([last.action, last.subject, last.examiner], ['integrity-failure', 'item:5', 'bob']);
    await writeFile(storedPath, bytes);
    await chmod(storedPath, 0o444);
  });
});

describe('PDQ at import', () => {
  it('equals hashing the file directly, also for a 16-bit PNG (hashed on its high bytes)', async () => {
    const folder = join(root, 'deep-in');
    await mkdir(folder);
    const { data, info } = await sharp(join(photosDir, 'skimage-chelsea.png')).raw().toBuffer({ resolveWithObject: true });
    const deep = new Uint16Array(data.length);
    // Low bytes that differ from the high ones, so rounding x / 65535 * 255 would not give x >> 8.
    for (let i = 0; i < data.length; i++) deep[i] = data[i] * 256 + ((i * 97) & 255);
    const path = join(folder, 'deep.png');
    await writeFile(
      path,
      await sharp(Buffer.from(deep.buffer), { raw: { width: info.width, height: info.height, channels: 3 } })
        .toColourspace('rgb16')
        .png()
        .toBuffer(),
    );
    const caseFolder = await newCase('deep');
    try {
      await caseFolder.importEvidence([path], { examiner: 'alice' });
      const item = caseFolder.db.getItem(1);
      const direct = await computePdqOfFile(path);
      assert.deepEqual([item.pdqHash, item.pdqQuality], [direct.hash, direct.quality]);
    } finally {
      caseFolder.close();
    }
  });
});

describe('importing bad input', () => {
  let caseFolder: CaseFolder;
  let input: string;
  let outside: string;

  before(async () => {
    input = join(root, 'bad-in');
    outside = join(root, 'outside');
    await mkdir(join(input, 'nested'), { recursive: true });
    await mkdir(outside);
    const jpeg = await readFile(join(photosDir, 'china.jpg'));
    await writeFile(join(input, 'good.jpg'), jpeg);
    await writeFile(join(input, 'zero.jpg'), '');
    await writeFile(join(input, 'truncated.jpg'), jpeg.subarray(0, jpeg.length >> 1));
    await writeFile(join(input, 'nested', 'text.jpg'), 'this is a text file, not a JPEG\n');
    await writeFile(join(input, 'bomb.png'), decompressionBombPng(20_000, 20_000));
    await writeFile(join(input, 'animation.png'), await sharp(join(photosDir, 'flower.jpg')).resize(64).gif().toBuffer());
    await writeFile(join(input, 'readme.txt'), 'notes');
    await writeFile(join(input, 'evil\nname.jpg'), jpeg);
    await writeFile(join(input, 'photo\u202egpj.png'), jpeg);
    await writeFile(join(input, 'back\\slash.jpg'), jpeg);
    await copyFile(join(photosDir, 'flower.jpg'), join(outside, 'secret.jpg'));
    await symlink(join(outside, 'secret.jpg'), join(input, 'escape.jpg'));
    await symlink('../good.jpg', join(input, 'nested', 'inside-link.jpg'));
    await symlink(join(input, 'missing.jpg'), join(input, 'dangling.jpg'));
    await symlink(join(input, 'nested'), join(input, 'folder-link'));
    execFileSync('mkfifo', [join(input, 'pipe.jpg')]);
    caseFolder = await newCase('bad');
  });
  after(() => caseFolder.close());

  for (const imageWorkers of [0, 2]) {
    it(`imports the good file, refuses each bad one with its own reason, and loses nothing else (${imageWorkers} image workers)`, async () => {
      const caseFolder = await newCase(`bad-${imageWorkers}`);
      try {
        const summary = await caseFolder.importEvidence([input], { examiner: 'alice', imageWorkers });
        const byName = new Map(summary.outcomes.map((outcome) => [outcome.sourcePath.slice(input.length + 1), outcome]));
        const kinds = Object.fromEntries([...byName].map(([name, outcome]) => [name, outcome.outcome === 'error' ? outcome.errorKind : outcome.outcome]));
        assert.deepEqual(kinds, {
          'animation.png': 'unsupported-format',
          'back\\slash.jpg': 'unsafe-name',
          'bomb.png': 'too-many-pixels',
          'dangling.jpg': 'not-found',
          'escape.jpg': 'symlink-outside-folder',
          'evil\nname.jpg': 'unsafe-name',
          'folder-link': 'symlink-not-followed',
          'good.jpg': 'imported',
          'nested/inside-link.jpg': 'duplicate',
          'nested/text.jpg': 'not-an-image',
          'photo\u202egpj.png': 'unsafe-name',
          'pipe.jpg': 'not-a-regular-file',
          'readme.txt': 'unsupported-format',
          'truncated.jpg': 'damaged-image',
          'zero.jpg': 'empty-file',
        });
        assert.deepEqual([summary.imported, summary.duplicates, summary.errors], [1, 1, 13]);

        const message = (name: string) => byName.get(name)!.message!;
        assert.match(message('bomb.png'), /20000 x 20000 = 400000000 pixels, above the limit of 100000000/);
        assert.match(message('truncated.jpg'), /truncated or damaged/);
        assert.match(message('animation.png'), /unsupported image format 'gif'/);
        assert.match(message('zero.jpg'), /empty \(0 bytes\)/);
        assert.match(message('escape.jpg'), /outside the imported folder/);
        // Names with control characters are shown escaped, never raw, in messages.
        assert.ok(message('evil\nname.jpg').includes(JSON.stringify(join(input, 'evil\nname.jpg'))), message('evil\nname.jpg'));
        assert.ok(!message('evil\nname.jpg').includes('\n'));
        assert.ok(!message('photo\u202egpj.png').includes('\u202e'));

        const errorEntries = [...caseFolder.db.auditRows()].filter((row) => row.action === 'import-error');
        assert.equal(errorEntries.length, 13);
        const bombEntry = errorEntries.find((row) => row.subject === `file:${join(input, 'bomb.png')}`)!;
        assert.equal(JSON.parse(bombEntry.parameters).errorKind, 'too-many-pixels');

        // Only the good file reached the store; nothing half-copied is left behind.
        const stored = (await filesUnder(join(caseFolder.folder, 'evidence'))).map((path) => path.slice(caseFolder.folder.length + 1));
        assert.deepEqual(stored, [caseFolder.db.getItem(1).storePath]);
        assert.equal(caseFolder.db.getItem(1).originalName, 'good.jpg');
      } finally {
        caseFolder.close();
      }
    });
  }

  it('applies the pixel cap it is given', async () => {
    const summary = await caseFolder.importEvidence([join(photosDir, 'skimage-rocket.jpg')], { examiner: 'alice', maxPixels: 100_000 });
    assert.equal(summary.outcomes[0].errorKind, 'too-many-pixels');
    assert.match(summary.outcomes[0].message!, /above the limit of 100000/);
  });
});

describe('cancelling and resuming an import', () => {
  it('stops at the next file when cancelled, marks the job cancelled, and a resume imports exactly the rest', async () => {
    const input = join(root, 'cancel-in');
    const files = await writeDistinctCopies(input, 2, (await photoNames('.jpg')).slice(0, 6));
    const caseFolder = await newCase('cancel');
    try {
      const controller = new AbortController();
      let committed = 0;
      const progress = new ProgressReporter((event) => {
        committed = Math.round(event.fraction * files.length);
        if (committed >= 3) controller.abort();
      });
      await assert.rejects(caseFolder.importEvidence([input], { examiner: 'alice', progress, signal: controller.signal, concurrency: 2 }), CancelledError);
      const job = caseFolder.db.getJob(1);
      assert.equal(job.state, 'cancelled');
      const before = caseFolder.db.itemCount();
      assert.ok(before >= 3 && before < files.length, `${before} items after cancelling`);
      assert.deepEqual(await readdir(join(caseFolder.folder, 'evidence', '.incoming')), []);

      const resumed = await caseFolder.resumeImport({ examiner: 'bob' });
      assert.deepEqual([resumed.jobId, resumed.resumed, resumed.handledEarlier], [1, true, before]);
      assert.deepEqual([resumed.imported, resumed.duplicates, resumed.errors], [files.length, 0, 0]);
      assert.equal(caseFolder.db.itemCount(), files.length);
      assert.deepEqual(new Set([...caseFolder.db.items()].map((item) => item.originalPath)), new Set(files));
      assert.deepEqual(
        [...caseFolder.db.auditRows({ subject: 'job:1' })].map((row) => [row.action, row.examiner]),
        [
          ['import-start', 'alice'],
          ['import-cancel', 'alice'],
          ['import-resume', 'bob'],
          ['import-finish', 'bob'],
        ],
      );
      await assert.rejects(caseFolder.resumeImport({ examiner: 'bob' }), /no interrupted, cancelled or failed import to resume/);
    } finally {
      caseFolder.close();
    }
  });
});
