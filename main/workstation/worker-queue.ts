/**
 * The workspace's worker queue behind the IPC contract: the setting (kept with the workspace
 * settings) and a look at the queue itself (does Redis answer, how many workers are connected),
 * and the queue a "Run on workers" purify job is sent to.
 */
import { stat } from 'node:fs/promises';
import { FleetDispatch } from '../fleet/fleet-dispatch.ts';
import { parseQueueAddress } from '../fleet/queue-address.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import type { WorkerQueueSetting, WorkerQueueStatus } from '../ipc/contract/index.ts';
import { readSettings, writeSettings } from './workspace-settings.ts';

/** The dialog waits this long for Redis: an answer to a person, not to a batch. */
const STATUS_TIMEOUT_MS = 3000;

function withinTime<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function workerQueueStatus(setting: WorkerQueueSetting | null): Promise<WorkerQueueStatus> {
  if (!setting) return { setting: null, reachable: false, connectedWorkers: null, problem: null };
  const dispatch = new FleetDispatch(parseQueueAddress(setting.address));
  try {
    await withinTime(dispatch.connect(STATUS_TIMEOUT_MS), STATUS_TIMEOUT_MS + 500, '');
  } catch {
    void dispatch.close().catch(() => {});
    return { setting, reachable: false, connectedWorkers: null, problem: `no Redis answers at ${setting.address}` };
  }
  try {
    // CLIENT LIST may be refused by a locked-down Redis: the queue works, it just cannot say
    const connectedWorkers = await withinTime(dispatch.connectedWorkers(), STATUS_TIMEOUT_MS, 'no answer').catch(() => null);
    return { setting, reachable: true, connectedWorkers, problem: null };
  } finally {
    await withinTime(dispatch.close(), STATUS_TIMEOUT_MS, 'no answer').catch(() => {});
  }
}

export async function setWorkerQueue(workspace: string, setting: WorkerQueueSetting | null): Promise<WorkerQueueStatus> {
  if (setting) {
    const folder = await stat(setting.sharedFolder).catch(() => null);
    if (!folder?.isDirectory()) throw new UserInputError(`${setting.sharedFolder} is not a folder: give the folder the workers mount as their shared location`);
  }
  await writeSettings(workspace, { ...(await readSettings(workspace)), workerQueue: setting });
  return workerQueueStatus(setting);
}

/** The queue and shared folder a purify job on workers uses; refused when the workspace has none. */
export async function configuredWorkerQueue(workspace: string): Promise<{ queue: string; shared: string }> {
  const { workerQueue } = await readSettings(workspace);
  if (!workerQueue) throw new UserInputError('this workspace has no worker queue: set one (Workers, in the top bar) to run on workers');
  return { queue: workerQueue.address, shared: workerQueue.sharedFolder };
}
