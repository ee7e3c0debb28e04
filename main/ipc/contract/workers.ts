/**
 * The worker queue of the workspace: the Redis that `acsr worker` processes take purification
 * tasks from, and the shared folder they mount. Checked here, at the boundary, so that a
 * setting that could never reach a queue is refused when it is typed, not when a job starts.
 */
import { z } from 'zod';
import { absolutePathSchema } from './common.ts';

/** True for redis://HOST:PORT (optionally /DB), with a host and an explicit port and no credentials. */
function isRedisHostAndPort(address: string): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  const port = Number(url.port);
  return (
    url.protocol === 'redis:' &&
    url.hostname !== '' &&
    url.port !== '' &&
    Number.isInteger(port) &&
    port >= 1 &&
    port <= 65_535 &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    /^(\/\d{0,2})?$/.test(url.pathname)
  );
}

export const queueAddressSchema = z
  .string()
  .trim()
  .max(300)
  .refine(isRedisHostAndPort, 'give the queue as redis://HOST:PORT (a host and a port, no password in the address)');

export const workerQueueSettingSchema = z.strictObject({
  address: queueAddressSchema,
  /** The folder the workers mount as their shared location (evidence and bundles are published there). */
  sharedFolder: absolutePathSchema,
});

export const workerQueueStatusSchema = z.object({
  /** Null when the workspace has no worker queue: purification runs on this workstation only. */
  setting: workerQueueSettingSchema.nullable(),
  /** Whether Redis answered just now. */
  reachable: z.boolean(),
  /** Worker processes connected to the queue, when the queue can tell; null otherwise. */
  connectedWorkers: z.number().int().nonnegative().nullable(),
  /** Why the queue could not be asked, in words; null when it answered. */
  problem: z.string().nullable(),
});

export type WorkerQueueSetting = z.output<typeof workerQueueSettingSchema>;
export type WorkerQueueStatus = z.output<typeof workerQueueStatusSchema>;
