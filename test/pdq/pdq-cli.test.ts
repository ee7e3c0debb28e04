// `acsr pdq` in-process, on the reference images.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pdqCommand } from '../../main/cli/commands/pdq.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import { pdqReferenceDir } from '../support/shared-data.ts';

const expected: Record<string, string> = JSON.parse(readFileSync(path.join(pdqReferenceDir, 'expected.json'), 'utf8')).hashes;
const image = (name: string) => path.join(pdqReferenceDir, 'images', name);

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    commands: [pdqCommand],
    env: {},
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false, columns: 80 },
  });
  return { code, stdout, stderr, lines: stdout.trimEnd().split('\n') };
}

describe('acsr pdq', () => {
  it('prints hash,quality,path per file and every hash in the --json summary', async () => {
    const files = ['q0122.jpg', 'c.png'].map(image);
    const result = await run(['pdq', '--in', ...files, '--json', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    const sorted = [...files].sort();
    assert.deepEqual(
      result.lines.slice(0, 2).map((line) => line.split(',')[2]),
      sorted,
    );
    const summary = JSON.parse(result.lines.at(-1)!);
    assert.equal(summary.ok, true);
    assert.equal(summary.count, 2);
    for (const [i, entry] of summary.files.entries()) {
      assert.equal(entry.path, sorted[i]);
      assert.equal(entry.hash, expected[path.basename(sorted[i])]);
      assert.equal(result.lines[i], `${entry.hash},${entry.quality},${entry.path}`);
    }
  });

  it('adds the eight dihedral hashes with --dihedral', async () => {
    const result = await run(['pdq', '--in', image('bridge-1-original.jpg'), '--dihedral', '--json', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    const fields = result.lines[0].split(',');
    assert.equal(fields.length, 10);
    const entry = JSON.parse(result.lines.at(-1)!).files[0];
    assert.deepEqual(Object.keys(entry.dihedral), ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1']);
    assert.deepEqual(fields.slice(0, 8), Object.values(entry.dihedral));
    assert.equal(entry.dihedral.original, entry.hash);
  });

  it('fails with one error line and exit code 2 on a missing file or a non-image', async () => {
    for (const bad of [image('no-such-picture.jpg'), path.join(pdqReferenceDir, 'expected.json')]) {
      const result = await run(['pdq', '--in', bad, '--quiet']);
      assert.equal(result.code, 2);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`^acsr pdq: error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    }
  });
});
