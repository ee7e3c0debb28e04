/**
 * Stage iii on evidence items of a case, computed by the worker fleet through a queue and
 * recorded by this process (main/fleet/purify-on-fleet.ts): `acsr case purify --queue`.
 */
import { z } from 'zod';
import { purifyOnFleet, type FleetPurifySummary } from '../fleet/purify-on-fleet.ts';
import { defineAction } from './define-action.ts';
import { withCaseFolder } from './with-case-folder.ts';

export const purifyOnFleetParameters = z.strictObject({
  caseFolder: z.string().min(1),
  examiner: z.string(),
  items: z.union([z.array(z.number().int().positive()).min(1), z.literal('all')]),
  bundlePath: z.string().min(1),
  override: z.strictObject({ cluster: z.string(), reason: z.string() }).nullable(),
  options: z.strictObject({ maxIterations: z.number().int().min(1).optional() }).default({}),
  /** redis://HOST:PORT of the queue the workers take tasks from. */
  queue: z.string().min(1),
  /** The folder the workers mount as their shared location. */
  shared: z.string().min(1),
});

export const purifyOnFleetAction = defineAction({
  name: 'purify-on-workers',
  parameters: purifyOnFleetParameters,
  run: ({ caseFolder: folder, examiner, items, bundlePath, override, options, queue, shared }, { progress, signal, note }) =>
    withCaseFolder(folder, note, (caseFolder): Promise<FleetPurifySummary> =>
      purifyOnFleet(caseFolder, { itemIds: items, bundlePath, override, options, examiner, queueAddress: queue, sharedDir: shared, progress, signal }),
    ),
  summary: (summary) => ({
    caseJobId: summary.jobId,
    purified: summary.items.length,
    doneEarlier: summary.doneEarlier.length,
    refused: summary.refused.length,
    failed: summary.failed.length,
    imagesPerMinute: summary.imagesPerMinute,
  }),
});
