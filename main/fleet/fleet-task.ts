/**
 * One unit of work for the worker fleet: purify the image with this SHA-256 using the bundle whose
 * manifest has this SHA-256, with these parameters. Everything a worker needs is named by hash,
 * so a worker is stateless and can run anywhere the shared location is mounted; everything it
 * returns is checked by the workstation against the same hashes before it is recorded.
 *
 * The task key is the SHA-256 of the canonical JSON of those three things. It is the BullMQ job
 * id (a second enqueue of the same task is the same job) and it is recorded with the run (a task
 * already recorded in the case is never recorded again), so a retried or duplicated task cannot
 * create a second run.
 */
import { z } from 'zod';
import { canonicalJson } from '../case/canonical-json.ts';
import { sha256Hex } from '../io/hashing.ts';

/** The BullMQ queue that workers take purification tasks from. */
export const PURIFY_QUEUE_NAME = 'acsr-purify';
/** The BullMQ job name of a purification task. */
export const PURIFY_TASK_NAME = 'purify';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');

/** Every value that changes the purified output, written out in full (no defaults left to the worker). */
export const taskParametersSchema = z.strictObject({
  tikhonovLambda: z.number().positive(),
  cscLambda: z.number().positive(),
  tolerance: z.number().positive(),
  maxIterations: z.number().int().min(1),
  tileSize: z.number().int().min(1),
  tileMargin: z.number().int().min(0).nullable(),
  /** An investigator's cluster id instead of the nearest, or null. */
  clusterOverride: z.string().min(1).nullable(),
});
export type TaskParameters = z.infer<typeof taskParametersSchema>;

export const purifyTaskSchema = z.strictObject({
  key: sha256Schema,
  itemSha256: sha256Schema,
  bundleManifestSha256: sha256Schema,
  parameters: taskParametersSchema,
});
export type PurifyTask = z.infer<typeof purifyTaskSchema>;

const contentSchema = z.strictObject({ sha256: sha256Schema, bytes: z.number().int().min(0) });

/** What a worker returns: the outputs by hash (files in the shared results area) and the science's record. */
export const taskResultSchema = z.strictObject({
  key: sha256Schema,
  itemSha256: sha256Schema,
  bundleManifestSha256: sha256Schema,
  parameters: taskParametersSchema,
  output: contentSchema,
  components: z.strictObject({ low: contentSchema, high: contentSchema, reconstructedHigh: contentSchema, difference: contentSchema }),
  /** How the parts are encoded (purification-components.ts), recorded with the run. */
  componentsEncoding: z.string(),
  extractor: z.strictObject({ id: z.string(), weightsSha256: z.string() }),
  clusterIds: z.array(z.string()),
  nearestClusterId: z.string(),
  usedClusterId: z.string(),
  distances: z.array(z.number()),
  cbpdn: z.strictObject({ iterations: z.number(), converged: z.boolean(), objective: z.number(), tiles: z.number().int() }),
  inputChannels: z.number().int(),
  inputDecodeNotes: z.array(z.string()),
  backend: z.string(),
  timingsMs: z.record(z.string(), z.number()),
  /** Which worker ran it (host and process), for the record. */
  worker: z.string(),
});
export type TaskResult = z.infer<typeof taskResultSchema>;

export function taskKeyOf(itemSha256: string, bundleManifestSha256: string, parameters: TaskParameters): string {
  return sha256Hex(canonicalJson({ itemSha256, bundleManifestSha256, parameters }));
}

export function makePurifyTask(itemSha256: string, bundleManifestSha256: string, parameters: TaskParameters): PurifyTask {
  return { key: taskKeyOf(itemSha256, bundleManifestSha256, parameters), itemSha256, bundleManifestSha256, parameters };
}
