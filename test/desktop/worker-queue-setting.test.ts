// The workspace's worker queue setting: the address checked at the IPC boundary, kept in the
// workspace settings file, and the queue's status asked of a real Debian redis-server.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requestChannels } from '../../main/ipc/contract/index.ts';
import { setWorkerQueue, workerQueueStatus } from '../../main/workstation/worker-queue.ts';
import { readSettings, SETTINGS_FILE } from '../../main/workstation/workspace-settings.ts';
import { freePort, startRedisServer, type RedisServer } from '../fleet/redis-server.ts';

let workspace: string;
let redis: RedisServer;

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'acsr-queue-setting-'));
  redis = await startRedisServer();
});

after(async () => {
  await redis?.stop();
  await rm(workspace, { recursive: true, force: true });
});

describe('the worker queue setting', () => {
  const input = requestChannels['workers.setQueue'].input;
  const accepts = (address: string) => input.safeParse({ setting: { address, sharedFolder: '/mnt/acsr-shared' } }).success;

  it('accepts redis:// on a host and a port, and refuses anything else at the boundary', () => {
    for (const good of [
      'redis://127.0.0.1:6379',
      'redis://queue.lab.example:6380',
      'redis://[::1]:6379',
      'redis://10.0.0.5:6379/2',
      ' redis://10.0.0.5:6379 ',
    ]) {
      assert.ok(accepts(good), good);
    }
    for (const bad of [
      'http://127.0.0.1:6379',
      'redis://127.0.0.1',
      'redis://:6379',
      'redis://user:secret@127.0.0.1:6379',
      'redis://127.0.0.1:0',
      'redis://127.0.0.1:70000',
      'redis://127.0.0.1:6379?db=1',
      'rediss://127.0.0.1:6379',
      '127.0.0.1:6379',
      '',
    ]) {
      assert.ok(!accepts(bad), bad);
    }
    assert.ok(!input.safeParse({ setting: { address: 'redis://127.0.0.1:6379', sharedFolder: 'relative/folder' } }).success);
    assert.ok(input.safeParse({ setting: null }).success, 'null removes the queue');
  });

  it('is kept in the workspace settings, refuses a shared folder that does not exist, and says how many workers are connected', async () => {
    await assert.rejects(setWorkerQueue(workspace, { address: redis.url, sharedFolder: join(workspace, 'not-there') }), /not-there is not a folder/);
    assert.equal((await readSettings(workspace)).workerQueue, null);

    const status = await setWorkerQueue(workspace, { address: redis.url, sharedFolder: workspace });
    assert.deepEqual(status, { setting: { address: redis.url, sharedFolder: workspace }, reachable: true, connectedWorkers: 0, problem: null });
    assert.deepEqual(JSON.parse(await readFile(join(workspace, SETTINGS_FILE), 'utf8')).workerQueue, { address: redis.url, sharedFolder: workspace });
    assert.deepEqual((await readSettings(workspace)).workerQueue, { address: redis.url, sharedFolder: workspace });

    await setWorkerQueue(workspace, null);
    assert.equal((await readSettings(workspace)).workerQueue, null);
  });

  it('a queue where no Redis answers is reported as such, not as an error', async () => {
    const address = `redis://127.0.0.1:${await freePort()}`;
    const status = await workerQueueStatus({ address, sharedFolder: workspace });
    assert.deepEqual(status, {
      setting: { address, sharedFolder: workspace },
      reachable: false,
      connectedWorkers: null,
      problem: `no Redis answers at ${address}`,
    });
  });

  it('a hand-edited setting that is not a valid queue is read as none, keeping the other settings', async () => {
    await writeFile(
      join(workspace, SETTINGS_FILE),
      JSON.stringify({ examiner: 'A. Jones', blurByDefault: false, workerQueue: { address: 'http://x', sharedFolder: '/' } }),
    );
    assert.deepEqual(await readSettings(workspace), { examiner: 'A. Jones', blurByDefault: false, workerQueue: null });
  });
});
