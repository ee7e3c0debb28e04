/**
 * The preload exposes exactly the IPC contract: one function per request channel plus
 * `subscribe`, each bound to its prefixed Electron channel; nothing else reaches the page. The
 * bundled preload itself is run as Electron would run it (CommonJS, only `electron` requirable).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { buildPreload } from '../../build/desktop/build-preload.ts';
import { BRIDGE_GLOBAL_NAME, EVENT_CHANNELS, REQUEST_CHANNELS } from '../../main/ipc/contract/index.ts';
import { buildContractBridge, exposeContract, type BridgeIpc } from '../../preload/expose-contract.ts';

function recordingIpc() {
  const invoked: { channel: string; input: unknown }[] = [];
  const listeners = new Map<string, Set<(...args: any[]) => void>>();
  const ipc = {
    invoke: async (channel: string, input: unknown) => {
      invoked.push({ channel, input });
      return { ok: true, value: channel };
    },
    on(channel: string, listener: (...args: any[]) => void) {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
      return ipc;
    },
    removeListener(channel: string, listener: (...args: any[]) => void) {
      listeners.get(channel)?.delete(listener);
      return ipc;
    },
  };
  return { ipc: ipc as unknown as BridgeIpc, invoked, listeners };
}

test('the bridge has one function per request channel and subscribe, nothing more', () => {
  const bridge = buildContractBridge(recordingIpc().ipc);
  assert.deepEqual(Object.keys(bridge).sort(), [...REQUEST_CHANNELS, 'subscribe'].sort());
  for (const key of Object.keys(bridge)) assert.equal(typeof (bridge as unknown as Record<string, unknown>)[key], 'function');
});

test('each request function invokes its own prefixed channel with the input, unchanged', async () => {
  const { ipc, invoked } = recordingIpc();
  const bridge = buildContractBridge(ipc);
  for (const channel of REQUEST_CHANNELS) {
    const call = (bridge as unknown as Record<string, (input: unknown) => Promise<unknown>>)[channel];
    assert.deepEqual(await call({ probe: channel }), { ok: true, value: `acsr:${channel}` });
  }
  assert.deepEqual(
    invoked,
    REQUEST_CHANNELS.map((channel) => ({ channel: `acsr:${channel}`, input: { probe: channel } })),
  );
});

test('subscribe accepts only contract events, hands the page the payload alone, and unsubscribes', () => {
  const { ipc, listeners } = recordingIpc();
  const bridge = buildContractBridge(ipc);
  const received: unknown[] = [];
  for (const channel of EVENT_CHANNELS) {
    const unsubscribe = bridge.subscribe(channel, (payload) => received.push(payload));
    const [listener] = listeners.get(`acsr:${channel}`) ?? [];
    listener({ sender: 'an IpcRendererEvent the page must not see' }, { jobId: 7 });
    unsubscribe();
    assert.equal(listeners.get(`acsr:${channel}`)?.size, 0);
  }
  assert.deepEqual(
    received,
    EVENT_CHANNELS.map(() => ({ jobId: 7 })),
  );
  assert.throws(() => bridge.subscribe('ELECTRON_BROWSER_REQUIRE' as never, () => {}), /unknown event channel/);
});

test('the bundled preload requires only electron and exposes the bridge on window.acsrBridge', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'acsr-preload-'));
  try {
    const source = await readFile(await buildPreload({ outFile: join(folder, 'preload.cjs') }), 'utf8');
    const exposed = new Map<string, unknown>();
    const required: string[] = [];
    const { ipc, invoked } = recordingIpc();
    const electron = { contextBridge: { exposeInMainWorld: (name: string, value: unknown) => exposed.set(name, value) }, ipcRenderer: ipc };
    const module = { exports: {} };
    runInNewContext(source, {
      module,
      exports: module.exports,
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return electron;
      },
    });
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.deepEqual([...exposed.keys()], [BRIDGE_GLOBAL_NAME]);
    const bridge = exposed.get(BRIDGE_GLOBAL_NAME) as Record<string, (input: unknown) => Promise<unknown>>;
    assert.deepEqual(Object.keys(bridge).sort(), [...REQUEST_CHANNELS, 'subscribe'].sort());
    await bridge['cases.list']({});
    assert.deepEqual(invoked, [{ channel: 'acsr:cases.list', input: {} }]);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('exposeContract exposes one global, the bridge', () => {
  const exposed: string[] = [];
  exposeContract({ exposeInMainWorld: (name: string) => void exposed.push(name) }, recordingIpc().ipc);
  assert.deepEqual(exposed, [BRIDGE_GLOBAL_NAME]);
});
