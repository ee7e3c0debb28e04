/**
 * `redis://HOST:PORT` as given on the command line, turned into the connection options BullMQ
 * passes to ioredis. `maxRetriesPerRequest: null` is what BullMQ requires of a worker's
 * connection: a command waits for Redis to come back (a restart) instead of failing the task.
 */
import { UserInputError } from '../errors/user-input-error.ts';

export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  maxRetriesPerRequest: null;
}

export function parseQueueAddress(address: string): QueueConnection {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new UserInputError(`--queue ${address}: not a URL; give redis://HOST:PORT`);
  }
  if (url.protocol !== 'redis:') throw new UserInputError(`--queue ${address}: only redis://HOST:PORT queues are supported`);
  if (url.username || url.password) throw new UserInputError(`--queue ${address}: give no credentials in the address`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new UserInputError(`--queue ${address}: the database number after the port must be a whole number`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, db, maxRetriesPerRequest: null };
}
