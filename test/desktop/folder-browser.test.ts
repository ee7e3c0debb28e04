/**
 * The browser host's folder browser, through the same validated dispatch the hosts run on every
 * call from the renderer: it lists sub-folders inside the allowed roots only (a home folder and a
 * configured root, both real temp folders), refuses `..`, paths outside the roots and symbolic
 * links that lead out of them, and never offers a parent above a root; `~` and `~/x` are the home
 * folder wherever a folder is typed (the browser, an import).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { settle } from '../../main/ipc/call-failure.ts';
import type { CallResult, FolderListing, RequestChannel } from '../../main/ipc/contract/index.ts';
import { createValidatedDispatcher } from '../../main/ipc/validated-dispatch.ts';
import { expandHome } from '../../main/workstation/folder-browser.ts';
import { WorkstationService, type ServiceChannel } from '../../main/workstation/workstation-service.ts';
import { copyPhotos } from '../case/case-fixtures.ts';

let root: string;
let home: string;
let media: string;
let outside: string;
let service: WorkstationService;
let call: (channel: RequestChannel, input: unknown) => Promise<CallResult>;

before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'acsr-folders-')));
  home = join(root, 'home');
  media = join(root, 'media');
  outside = join(root, 'outside');
  await copyPhotos(join(home, 'evidence', 'batch-1'), ['flower.jpg', 'china.jpg']);
  await writeFile(join(home, 'evidence', 'batch-1', 'notes.txt'), 'notes\n');
  await mkdir(join(home, 'evidence', 'batch-2'));
  await mkdir(join(home, '.hidden'));
  await mkdir(join(media, 'usb'), { recursive: true });
  await mkdir(join(outside, 'secrets'), { recursive: true });
  await mkdir(join(root, 'workspace'));
  // A link that stays inside the roots, one that leads out of them.
  await symlink(join(media, 'usb'), join(home, 'evidence', 'usb-link'));
  await symlink(outside, join(home, 'evidence', 'escape'));
  service = new WorkstationService({ workspace: join(root, 'workspace'), host: 'browser', nativeFolderDialog: false, homeFolder: home, browseRoots: [media] });
  const dispatch = createValidatedDispatcher((channel, input) =>
    settle(() => (service.handlers[channel as ServiceChannel] as (parsed: unknown) => Promise<unknown>)(input)),
  );
  call = (channel, input) => dispatch(channel, input);
});

after(async () => {
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

async function browse(path?: string): Promise<FolderListing> {
  const result = await call('folders.browse', path === undefined ? {} : { path });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value as FolderListing;
}

async function refusal(path: unknown): Promise<string> {
  const result = await call('folders.browse', { path });
  assert.ok(!result.ok, `${String(path)} was listed`);
  return result.error.message;
}

describe('the folder browser', () => {
  it('starts at the allowed roots: the home folder first, then the configured ones', async () => {
    const listing = await browse();
    assert.equal(listing.path, null);
    assert.deepEqual(
      listing.folders.map((folder) => folder.path),
      [home, media],
    );
    assert.equal(listing.folders[0].name, `Home (${home})`);
  });

  it('lists sub-folders and counts image files, leaves hidden folders and links out of the roots out, and never goes above a root', async () => {
    const atHome = await browse(home);
    assert.deepEqual(
      atHome.folders.map((folder) => folder.name),
      ['evidence'],
    );
    assert.equal(atHome.parent, null, 'no parent above a root');
    const evidence = await browse(join(home, 'evidence'));
    assert.deepEqual(
      evidence.folders.map((folder) => folder.name),
      ['batch-1', 'batch-2', 'usb-link'],
    );
    assert.equal(evidence.parent, home);
    const batch = await browse(join(home, 'evidence', 'batch-1'));
    assert.deepEqual([batch.imageFiles, batch.folders.length], [2, 0]);
    // A link inside the roots is entered as its real folder.
    assert.equal((await browse(join(home, 'evidence', 'usb-link'))).path, join(media, 'usb'));
    assert.equal((await browse(join(media, 'usb'))).parent, media);
  });

  it('expands ~ and ~/x to the home folder', async () => {
    assert.equal((await browse('~')).path, home);
    assert.equal((await browse('~/evidence/batch-1')).path, join(home, 'evidence', 'batch-1'));
    assert.equal(expandHome('~', home), home);
    assert.equal(expandHome('~/a/b', home), join(home, 'a', 'b'));
    assert.equal(expandHome('/abs/~/x', home), '/abs/~/x');
    assert.equal(expandHome('~other/x', home), '~other/x');
  });

  it('refuses folders outside the roots, .. escapes, symbolic links out of the roots, and anything not a folder path', async () => {
    assert.match(await refusal(outside), /outside the folders this workstation may browse/);
    assert.match(await refusal('/'), /outside the folders this workstation may browse/);
    assert.match(await refusal(root), /outside the folders this workstation may browse/);
    assert.match(await refusal(`${home}/../outside`), /cannot go up with '\.\.'/);
    assert.match(await refusal('~/../outside'), /cannot go up with '\.\.'/);
    assert.match(await refusal(`${home}/evidence/..`), /cannot go up with '\.\.'/);
    assert.match(await refusal(join(home, 'evidence', 'escape')), /outside the folders this workstation may browse/);
    assert.match(await refusal(join(home, 'evidence', 'escape', 'secrets')), /outside the folders this workstation may browse/);
    assert.match(await refusal(join(home, 'no-such-folder')), /no such folder; choose a folder that exists/);
    assert.match(await refusal(join(home, 'evidence', 'batch-1', 'flower.jpg')), /no such folder/);
    // The contract refuses these before the browser sees them.
    assert.match(await refusal('evidence/batch-1'), /type a full folder path, starting with \/ or ~\//);
    assert.match(await refusal('~root/x'), /type a full folder path/);
    assert.match(await refusal(`${home}/\u0000x`), /control characters/);
    assert.match(await refusal(42), /could not read this request/); // the channel and schema path go to the log only
    const extraKey = await call('folders.browse', { path: home, root: '/' });
    assert.ok(!extraKey.ok);
  });
});

describe('a typed ~/ folder', () => {
  it('is the home folder for an import', async () => {
    await service.handlers['app.setExaminer']({ name: 'A. Jones' });
    const { caseId } = await service.handlers['cases.create']({ number: 'F-1', title: 'home import' });
    const started = await call('jobs.start', { kind: 'import', caseId, sources: ['~/evidence/batch-1'] });
    assert.ok(started.ok, JSON.stringify(started));
    await service.jobs.whenIdle();
    const [job] = service.jobs.list();
    assert.equal(job.state, 'completed', job.error ?? '');
    assert.deepEqual([job.summary?.imported, job.summary?.errors], [2, 1]);
    assert.deepEqual(job.summary?.failures, [{ file: join(home, 'evidence', 'batch-1', 'notes.txt'), reason: 'not an image type this tool imports' }]);
    const failures = await call('cases.importFailures', { caseId });
    assert.ok(failures.ok);
    assert.deepEqual(
      (failures.value as { file: string; reason: string }[]).map((failure) => [failure.file, failure.reason]),
      [[join(home, 'evidence', 'batch-1', 'notes.txt'), 'not an image type this tool imports']],
    );
  });
});
