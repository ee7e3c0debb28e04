// The fleet commands' refusals: each exits 2 with one specific line, before touching the case.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { makeTempDir, removeTempDir, repoRoot, runAcsr } from '../case/case-fixtures.ts';
import { writePhotoCrop } from '../case/report-fixtures.ts';
import { freePort } from './redis-server.ts';

let root: string;
let caseDir: string;
const bundle = join(repoRoot, 'models', 'default-bundle');

before(async () => {
  root = await makeTempDir('fleet-cli');
  caseDir = join(root, 'case');
  const caseFolder = await CaseFolder.create(caseDir, { number: 'F-1', title: 'fleet refusals', examiner: 'alice' });
  try {
    await caseFolder.importEvidence([await writePhotoCrop('skimage-chelsea.png', join(root, 'cat.png'), { left: 150, top: 60, size: 64 })], {
      examiner: 'alice',
    });
  } finally {
    caseFolder.close();
  }
});

after(async () => {
  await removeTempDir(root);
});

function assertRefused(args: readonly string[], pattern: RegExp): void {
  const result = runAcsr(args);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, pattern);
}

describe('worker and case purify --queue refusals', () => {
  it('acsr worker refuses a queue that is not redis:// and a shared folder that does not exist', () => {
    assertRefused(['worker', '--queue', 'http://127.0.0.1:6379', '--shared', root], /only redis:\/\/HOST:PORT queues/);
    assertRefused(['worker', '--queue', 'redis://127.0.0.1:6379', '--shared', join(root, 'not-mounted')], /--shared .*not-mounted: not a folder/);
  });

  it('case purify --queue refuses missing --shared, an unknown --classifier and --resume', () => {
    const common = ['case', 'purify', '--case', caseDir, '--all', '--bundle', bundle, '--examiner', 'bob'];
    assertRefused([...common, '--queue', 'redis://127.0.0.1:6379'], /--queue needs --shared DIR/);
    assertRefused([...common, '--queue', 'redis://127.0.0.1:6379', '--shared', root, '--classifier', 'no-such-filter'], /unknown classifier 'no-such-filter'/);
    assertRefused([...common, '--shared', root], /--shared goes with --queue/);
  });

  it('case purify --queue names an address where no Redis answers, and starts no job in the case', async () => {
    const port = await freePort();
    assertRefused(
      [
        'case',
        'purify',
        '--case',
        caseDir,
        '--all',
        '--bundle',
        bundle,
        '--examiner',
        'bob',
        '--queue',
        `redis://127.0.0.1:${port}`,
        '--shared',
        join(root, 'shared'),
      ],
      new RegExp(`no Redis answers at 127.0.0.1:${port}`),
    );
    const caseFolder = await CaseFolder.open(caseDir);
    try {
      assert.deepEqual(caseFolder.db.jobs({ kind: 'purify' }), []);
    } finally {
      caseFolder.close();
    }
  });
});
