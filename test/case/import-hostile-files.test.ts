// Files that are not what the scan saw: a FIFO swapped in after the scan, sparse files that claim
// gigabytes, and an import killed while it is still scanning. Nothing may hang, nothing may be lost.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { ProgressReporter } from '../../main/progress/progress.ts';
import { copyPhotos, makeTempDir, photoNames, photosDir, removeTempDir, runAcsr, spawnAcsr } from './case-fixtures.ts';

let root: string;
before(async () => {
  root = await makeTempDir('hostile');
});
after(async () => {
  await removeTempDir(root);
});

async function newCase(name: string): Promise<CaseFolder> {
  return CaseFolder.create(join(root, name), { number: name, title: `hostile files ${name}`, examiner: 'alice' });
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A file of `size` bytes of which only `head` is written: the rest is a hole, taking no disk. */
async function writeSparse(path: string, size: number, head: Buffer): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.write(head, 0, head.length, 0);
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

function outcomesByName(summary: { outcomes: { sourcePath: string; outcome: string; errorKind: string | null; message: string | null }[] }, folder: string) {
  return new Map(summary.outcomes.map((outcome) => [outcome.sourcePath.slice(folder.length + 1), outcome]));
}

describe('a file swapped after the folder was scanned', () => {
  for (const imageWorkers of [0, 2]) {
    it(`refuses a FIFO put in a photo's place without waiting for a writer, and imports the rest (${imageWorkers} image workers)`, async () => {
      const input = join(root, `swap-${imageWorkers}`);
      const names = (await photoNames('.jpg')).slice(0, 3);
      await copyPhotos(input, names);
      const caseFolder = await newCase(`case-swap-${imageWorkers}`);
      try {
        let swapped = false;
        // The first progress of the import stage comes after the scan and before any file is opened.
        const progress = new ProgressReporter((event) => {
          if (swapped || !event.stage.startsWith('import')) return;
          swapped = true;
          execFileSync('rm', [join(input, names[1])]);
          execFileSync('mkfifo', [join(input, names[1])]);
          execFileSync('ln', ['-s', join(photosDir, names[2]), `${join(input, names[2])}.tmp`]);
          execFileSync('mv', ['-f', `${join(input, names[2])}.tmp`, join(input, names[2])]);
        });
        const summary = await caseFolder.importEvidence([input], { examiner: 'alice', progress, imageWorkers });
        assert.equal(swapped, true);
        const byName = outcomesByName(summary, input);
        assert.equal(byName.get(names[0])!.outcome, 'imported');
        assert.equal(byName.get(names[1])!.errorKind, 'not-a-regular-file');
        assert.match(byName.get(names[1])!.message!, /became something other than a regular file .*after the folder was scanned/);
        assert.equal(byName.get(names[2])!.errorKind, 'symlink-not-followed');
        assert.equal(caseFolder.db.getJob(summary.jobId).state, 'completed');
        assert.deepEqual(await readdir(join(caseFolder.folder, 'evidence', '.incoming')), []);
      } finally {
        caseFolder.close();
      }
    });
  }
});

describe('sparse files that claim gigabytes', () => {
  it('refuses them from their size and first bytes, before copying anything', async () => {
    const input = join(root, 'sparse-in');
    await mkdir(input, { recursive: true });
    // 3 GB of holes: no image signature, refused on its first bytes.
    await writeSparse(join(input, 'holes.png'), 3_000_000_000, Buffer.alloc(0));
    // A PNG signature, then 3 GB of holes: larger than this import's limit.
    await writeSparse(join(input, 'claims-3gb.png'), 3_000_000_000, PNG_SIGNATURE);
    // A PNG signature, then 1 TiB of holes: more than the case's disk can take (imported on its own, with no limit given).
    const huge = join(root, 'claims-1tib.png');
    await writeSparse(huge, 2 ** 40, PNG_SIGNATURE);
    await copyFile(join(photosDir, 'flower.jpg'), join(input, 'flower.jpg'));
    const caseFolder = await newCase('sparse');
    try {
      const summary = await caseFolder.importEvidence([input], { examiner: 'alice', maxFileBytes: 2 * 1024 ** 3 });
      const byName = outcomesByName(summary, input);
      assert.equal(byName.get('flower.jpg')!.outcome, 'imported');
      assert.equal(byName.get('holes.png')!.errorKind, 'not-an-image');
      assert.equal(byName.get('claims-3gb.png')!.errorKind, 'too-large');
      assert.match(
        byName.get('claims-3gb.png')!.message!,
        /file is 2\.79 GiB, of which only .* is on disk \(a sparse file\), more than the 2\.00 GiB size limit of this import: not copied/,
      );

      const [alone] = (await caseFolder.importEvidence([huge], { examiner: 'alice' })).outcomes;
      assert.equal(alone.errorKind, 'too-large');
      assert.match(alone.message!, /file is 1\.00 TiB, .*\(a sparse file\), more than the .* that the case's disk can still take: not copied/);
      assert.deepEqual(await readdir(join(caseFolder.folder, 'evidence', '.incoming')), []);
      // Refused entries are in the audit log like any other.
      const errors = [...caseFolder.db.auditRows()].filter((row) => row.action === 'import-error');
      assert.equal(errors.length, 3);
    } finally {
      caseFolder.close();
    }
  });
});

describe('an import killed while scanning', () => {
  it('leaves a job, with no total yet, that resume finishes', async () => {
    const input = join(root, 'deep-in');
    // Thousands of folders make the scan last long enough to be killed in the middle of it.
    const folders: string[] = [];
    for (let a = 0; a < 60; a++) for (let b = 0; b < 60; b++) folders.push(join(input, `a${a}`, `b${b}`));
    await Promise.all(folders.map((folder) => mkdir(folder, { recursive: true })));
    const photos = (await photoNames('.jpg')).slice(0, 3);
    await copyPhotos(join(input, 'a59', 'b59'), photos);
    const caseDir = join(root, 'case-scan-kill');
    assert.equal(runAcsr(['case', 'create', '--case', caseDir, '--number', 'K-9', '--title', 'scan kill', '--examiner', 'alice']).code, 0);

    const killed = await new Promise<{ signal: NodeJS.Signals | null; stages: string[] }>((resolvePromise, reject) => {
      const child = spawnAcsr(['case', 'import', '--case', caseDir, '--in', input, '--examiner', 'alice', '--progress', 'json']);
      const stages: string[] = [];
      let buffered = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines.filter((text) => text.startsWith('{'))) {
          stages.push((JSON.parse(line) as { stage: string }).stage);
          // the content filter loads first; the kill lands in the scan that follows it
          if (stages.at(-1) === 'scan' && stages.indexOf('scan') === stages.length - 1) child.kill('SIGKILL');
        }
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => resolvePromise({ signal, stages }));
    });
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(killed.stages.at(-1), 'scan');

    const raw = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
    const job = raw.prepare('SELECT state, progress_total AS total FROM jobs WHERE id = 1').get() as { state: string; total: number | null };
    raw.close();
    assert.deepEqual(job, { state: 'running', total: null }, 'killed before the scan ended: the job has no total yet');

    const caseFolder = await CaseFolder.open(caseDir);
    try {
      assert.deepEqual(
        caseFolder.interruptedOnOpen.map((found) => [found.id, found.state]),
        [[1, 'interrupted']],
      );
      const summary = await caseFolder.resumeImport({ examiner: 'bob' });
      assert.deepEqual([summary.jobId, summary.resumed, summary.imported, summary.errors, summary.total], [1, true, photos.length, 0, photos.length]);
      assert.equal(caseFolder.db.getJob(1).state, 'completed');
      assert.equal((await caseFolder.verify({ examiner: 'carol' })).ok, true);
    } finally {
      caseFolder.close();
    }
  });
});

describe('inputs that do not exist', () => {
  it('are refused before any job is created', async () => {
    const caseFolder = await newCase('missing');
    try {
      await assert.rejects(caseFolder.importEvidence([join(root, 'no-such-folder')], { examiner: 'alice' }), /no such file or directory/);
      assert.deepEqual(caseFolder.db.jobs({ kind: 'import' }), []);
    } finally {
      caseFolder.close();
    }
  });
});
