import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/shared-data.ts';

// bin/acsr.mjs keeps each TypeScript module's stripped text on disk, keyed by its source: a
// second start loads what the first stripped, a changed source is stripped again, and a cache
// that cannot be written changes nothing but the speed.
const hooks = pathToFileURL(join(repoRoot, 'main/startup/stripped-typescript-cache.mjs')).href;

function runWithCache(cacheDir: string, entry: string) {
  const script = `
    import { cacheStrippedTypeScript } from ${JSON.stringify(hooks)};
    const active = cacheStrippedTypeScript(${JSON.stringify(cacheDir)});
    try {
      const loaded = await import(${JSON.stringify(pathToFileURL(entry).href)});
      console.log(JSON.stringify({ active, answer: loaded.answer() }));
    } catch (error) {
      console.log(JSON.stringify({ active, stack: error.stack }));
    }
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  // stripping through the cache warns no more than Node's own stripping does
  assert.doesNotMatch(run.stderr, /Warning/);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { active: boolean; answer?: string; stack?: string };
}

test('a TypeScript module is stripped once, loaded from the cache after, and stripped again when it changes', async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'acsr-stripped-ts-'));
  try {
    const cacheDir = join(scratch, 'cache');
    const entry = join(scratch, 'module.ts');
    const source = `interface Shape { name: string }\nconst shape: Shape = { name: 'first' };\nexport function answer(): string { return shape.name; }\n`;
    await writeFile(entry, source);

    const first = runWithCache(cacheDir, entry);
    assert.deepEqual(first, { active: true, answer: 'first' });
    const cached = await readdir(cacheDir);
    assert.equal(cached.length, 1);
    // Node's own stripping, byte for byte: blanks where the types were, every position kept
    assert.equal(await readFile(join(cacheDir, cached[0]), 'utf8'), stripTypeScriptTypes(source, { mode: 'strip' }));

    // the second start takes the cached text (altered here to tell it apart) instead of stripping
    await writeFile(join(cacheDir, cached[0]), `export function answer() { return 'from the cache'; }\n`);
    assert.equal(runWithCache(cacheDir, entry).answer, 'from the cache');

    // a changed source is a different key: stripped afresh, the old entry left alone
    await writeFile(entry, source.replace("'first'", "'second'"));
    assert.equal(runWithCache(cacheDir, entry).answer, 'second');
    assert.equal((await readdir(cacheDir)).length, 2);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('with a cache that cannot be written, modules load as before, and errors point at the TypeScript line', async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'acsr-stripped-ts-'));
  try {
    const cacheDir = join(scratch, 'read-only');
    await writeFile(cacheDir, 'a file where the folder should be');
    await chmod(cacheDir, 0o444);
    const entry = join(scratch, 'failing.ts');
    await writeFile(entry, `type Reason = string;\nconst reason: Reason = 'on line four';\n\nexport function answer(): string { throw new Error(reason); }\n`);
    const run = runWithCache(cacheDir, entry);
    assert.equal(run.active, true);
    assert.match(run.stack ?? '', /Error: on line four\n\s+at (?:Module\.)?answer \(file:\/\/.*failing\.ts:4:\d+\)/);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
