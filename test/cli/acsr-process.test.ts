// The real `acsr` as a child process: what a shell script or the desktop app sees.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { photosDir } from '../support/shared-data.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function acsr(args: string[], entry: string[] = ['--import', 'tsx', 'main/cli/acsr.ts']) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ACSR_DEBUG;
  const result = spawnSync(process.execPath, [...entry, ...args], { cwd: repositoryRoot, encoding: 'utf8', env, timeout: 180_000 });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, lastLine };
}

describe('acsr as a process', () => {
  it('info prints versions and, with --json, a JSON summary as the last stdout line', () => {
    const result = acsr(['info', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, new RegExp(`^acsr ${version.replaceAll('.', '\\.')}\n`));
    const summary = JSON.parse(result.lastLine);
    assert.equal(summary.ok, true);
    assert.equal(summary.command, 'info');
    assert.equal(summary.version, version);
    assert.match(summary.node, /^v22\./);
    assert.equal(summary.platform, process.platform);
    assert.ok(Number.isInteger(summary.cpuCount) && summary.cpuCount >= 1);
  });

  it('exits 2 with exactly one error line for an unknown command or option', () => {
    const unknownCommand = acsr(['purify-everything']);
    assert.equal(unknownCommand.code, 2);
    assert.match(
      unknownCommand.stderr,
      /^acsr: error: unknown command 'purify-everything'(; did you mean '[a-z-]+'\?)? \(available: [a-z, -]*\binfo\b[a-z, -]*\)\n$/,
    );
    const unknownOption = acsr(['info', '--verbose', '--json']);
    assert.equal(unknownOption.code, 2);
    assert.equal(unknownOption.stderr, 'acsr info: error: unknown option --verbose\n');
    assert.deepEqual(JSON.parse(unknownOption.lastLine).error, { type: 'usage', message: 'unknown option --verbose' });
  });

  it('lists the commands in acsr --help and prints --version', () => {
    const help = acsr(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: acsr <command> \[options\]$/m);
    assert.match(help.stdout, /^ {2}info {2,}print version, runtime and platform information$/m);
    assert.equal(acsr(['--version']).stdout, `${version}\n`);
  });

  it('runs through the installed bin script too, its TypeScript stripped by Node without a loader', () => {
    const result = acsr(['info', '--json'], ['bin/acsr.mjs']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.lastLine).command, 'info');
    assert.equal(JSON.parse(result.lastLine).typescript, 'node');
    assert.equal(JSON.parse(acsr(['info', '--json']).lastLine).typescript, 'tsx');
  });

  it('purifies through the bin script with CBPDN worker threads that load their TypeScript without a loader too', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'acsr-bin-purify-'));
    try {
      const image = path.join(photosDir, 'darknet-dog.jpg');
      const bundle = path.join(repositoryRoot, 'models/default-bundle');
      const result = acsr(['purify', '--bundle', bundle, '--in', image, '--out', out, '--threads', '2', '--max-iterations', '2', '--json'], ['bin/acsr.mjs']);
      assert.equal(result.code, 0, result.stderr);
      const record = JSON.parse(readFileSync(path.join(out, 'darknet-dog.purification.json'), 'utf8'));
      assert.ok(record.cbpdn.tiles.length > 1, 'a photo this size is coded in several tiles');
      assert.ok(record.cbpdn.tiles.every((tile: { iterations: number }) => tile.iterations === 2));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
