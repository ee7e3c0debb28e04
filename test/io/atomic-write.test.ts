import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeFileAtomic } from '../../main/io/atomic-write.ts';
import { toJsonLine, writeJsonFile } from '../../main/io/json-file.ts';

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'acsr-atomic-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates and replaces files without leaving temp files behind', async () => {
    const path = join(directory, 'result.bin');
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    await writeFileAtomic(path, 'replaced');
    assert.equal(await readFile(path, 'utf8'), 'replaced');
    assert.deepEqual(await readdir(directory), ['result.bin']);
  });

  it('leaves one complete version when writers race', async () => {
    const path = join(directory, 'raced.txt');
    const versions = Array.from({ length: 8 }, (_, i) => String(i).repeat(100_000));
    await Promise.all(versions.map((text) => writeFileAtomic(path, text)));
    assert.ok(versions.includes(await readFile(path, 'utf8')));
    assert.deepEqual(
      (await readdir(directory)).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });

  it('reports a missing directory or a directory target as input errors and writes nothing', async () => {
    await assert.rejects(writeFileAtomic(join(directory, 'no', 'such', 'out.npy'), 'x'), {
      name: 'UserInputError',
      message: /out\.npy: directory .*no[/\\]such does not exist/,
    });
    const target = join(directory, 'a-directory');
    await mkdir(target);
    await assert.rejects(writeFileAtomic(target, 'x'), { name: 'UserInputError', message: /it is a directory/ });
    assert.deepEqual(
      (await readdir(directory)).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });
});

describe('JSON output', () => {
  it('writes typed arrays as arrays and non-finite numbers as null', async () => {
    const path = join(directory, 'summary.json');
    await writeJsonFile(path, { residuals: Float64Array.of(1, 0.5), bad: Number.NaN, count: 3n });
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { residuals: [1, 0.5], bad: null, count: 3 });
    assert.equal(toJsonLine({ x: Float32Array.of(0.5) }), '{"x":[0.5]}');
  });
});
