/**
 * Worker thread that owns the case databases and the job queue, so that the host's thread (in
 * Electron, the one that keeps windows responsive) only relays messages.
 */
import { mkdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { settle, UnavailableError } from '../ipc/call-failure.ts';
import { PRODUCT_ACTION_MODULES } from '../actions/product-actions.ts';
import type { ActionModules } from '../jobs/job-runner.ts';
import type { HostToServiceMessage, ServiceToHostMessage, ServiceWorkerData } from './service-protocol.ts';
import { WorkstationService, type ServiceChannel } from './workstation-service.ts';

const port = parentPort!;
const data = workerData as ServiceWorkerData;
const post = (message: ServiceToHostMessage) => port.postMessage(message);

await mkdir(data.workspace, { recursive: true });
const jobModules: ActionModules = { ...PRODUCT_ACTION_MODULES };
for (const [kind, url] of Object.entries(data.jobModules ?? {})) jobModules[kind as keyof ActionModules] = new URL(url);

const service = new WorkstationService({
  workspace: data.workspace,
  host: data.host,
  nativeFolderDialog: data.nativeFolderDialog,
  jobModules,
  ...(data.homeFolder !== undefined ? { homeFolder: data.homeFolder } : {}),
  ...(data.browseRoots !== undefined ? { browseRoots: data.browseRoots } : {}),
});
service.jobs.onChange((payload) => post({ type: 'event', channel: 'jobs.changed', payload }));
service.jobs.onOutput((payload) => post({ type: 'event', channel: 'jobs.output', payload }));

port.on('message', (message: HostToServiceMessage) => {
  if (message.type === 'close') {
    void service.close().finally(() => {
      post({ type: 'closed' });
      port.close();
    });
    return;
  }
  const handler = service.handlers[message.channel as ServiceChannel] as ((input: unknown) => Promise<unknown>) | undefined;
  void settle(() => {
    if (!handler) throw new UnavailableError(`${message.channel} is answered by the host, not the services`);
    return handler(message.input);
  }).then((result) => post({ type: 'result', callId: message.callId, result }));
});
post({ type: 'ready' });
