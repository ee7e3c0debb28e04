/**
 * Stage iii on evidence items of a case, computed by the worker fleet through a queue and
 * recorded by this process (main/fleet/purify-on-fleet.ts): `acsr case purify --queue` and the
 * workstation's "Run on workers" purify job, or the rest of such a run whose workstation stopped.
 */
import { z } from 'zod';
import { purifyOnFleet, type FleetPurifySummary } from '../fleet/purify-on-fleet.ts';
import { defineAction } from './define-action.ts';
import { withCaseFolder } from './with-case-folder.ts';

const where = {
  caseFolder: z.string().min(1),
  examiner: z.string(),
  /** redis://HOST:PORT of the queue the workers take tasks from. */
  queue: z.string().min(1),
  /** The folder the workers mount as their shared location. */
  shared: z.string().min(1),
};

export const purifyOnFleetParameters = z.union([
  z.strictObject({
    ...where,
    items: z.union([z.array(z.number().int().positive()).min(1), z.literal('all')]),
    bundlePath: z.string().min(1),
    override: z.strictObject({ cluster: z.string(), reason: z.string() }).nullable(),
    options: z.strictObject({ maxIterations: z.number().int().min(1).optional() }).default({}),
    /** The content filter whose verdicts before and after the workstation records (registry id), or none. */
    classifierId: z.string().min(1).nullable().default(null),
  }),
  /** A stopped run on workers (its case job), carried on with its recorded items and settings: it re-attaches to its queued tasks. */
  z.strictObject({ ...where, resumeCaseJobId: z.number().int().positive() }),
]);

export const purifyOnFleetAction = defineAction({
  name: 'purify-on-workers',
  parameters: purifyOnFleetParameters,
  run: (parameters, { progress, signal, note }) => {
    const { caseFolder: folder, examiner, queue, shared } = parameters;
    const work =
      'resumeCaseJobId' in parameters
        ? { resumeCaseJobId: parameters.resumeCaseJobId }
        : {
            itemIds: parameters.items,
            bundlePath: parameters.bundlePath,
            override: parameters.override,
            options: parameters.options,
            classifierId: parameters.classifierId,
          };
    return withCaseFolder(folder, note, (caseFolder): Promise<FleetPurifySummary> =>
      purifyOnFleet(caseFolder, { ...work, examiner, queueAddress: queue, sharedDir: shared, progress, signal }),
    );
  },
  summary: (summary) => ({
    caseJobId: summary.jobId,
    purified: summary.items.length,
    doneEarlier: summary.doneEarlier.length,
    refused: summary.refused.length,
    failed: summary.failed.length,
    imagesPerMinute: summary.imagesPerMinute,
  }),
});
