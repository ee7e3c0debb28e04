/** The worker queue's status in words, as the settings dialog and the purify dialog show it. */
import type { WorkerQueueStatus } from '../../main/ipc/contract/index.ts';

export function describeWorkerQueue(status: WorkerQueueStatus): string {
  if (!status.setting) return 'No worker queue: purification runs on this workstation.';
  const { address } = status.setting;
  if (!status.reachable) return status.problem ?? `No Redis answers at ${address} now.`;
  if (status.connectedWorkers === null) return `The queue at ${address} answers; it cannot tell how many workers are connected.`;
  const count = status.connectedWorkers;
  return `${count === 0 ? 'No' : count} worker${count === 1 ? '' : 's'} connected to ${address}.`;
}
