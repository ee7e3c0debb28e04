/** `acsr case purify --queue ...`: the same command, with the purification done by the worker fleet. */
import { runAction } from '../../actions/define-action.ts';
import { purifyOnFleetAction } from '../../actions/purify-on-fleet-action.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { actionControl } from '../action-control.ts';
import type { CommandContext } from '../command.ts';
import { UsageError } from '../errors.ts';
import { shortHash } from './case-options.ts';

export interface OnWorkersOptions {
  case: string;
  item: number[];
  all?: boolean;
  bundle?: string;
  resume?: boolean;
  examiner: string;
  cluster?: string;
  reason?: string;
  classifier?: string;
  maxIterations?: number;
  queue?: string;
  shared?: string;
}

export async function purifyOnWorkers(context: CommandContext<OnWorkersOptions>): Promise<Record<string, unknown>> {
  const { options, print } = context;
  if (options.shared === undefined) throw new UsageError('--queue needs --shared DIR: the location the workers read evidence and bundles from');
  if (options.resume) throw new UsageError('--resume is for a local purify; with --queue, run the same command again: it attaches to the queued tasks');
  if (options.all === options.item.length > 0) throw new UsageError(options.all ? 'give --item or --all, not both' : 'give --item ID... or --all');
  if (options.bundle === undefined) throw new UsageError('--bundle is required');
  const summary = await runAction(
    purifyOnFleetAction,
    {
      caseFolder: options.case,
      examiner: options.examiner,
      items: options.all ? 'all' : options.item,
      bundlePath: options.bundle,
      override: options.cluster !== undefined ? { cluster: options.cluster, reason: options.reason ?? '' } : null,
      options: options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {},
      classifierId: options.classifier ?? null,
      queue: options.queue!,
      shared: options.shared,
    },
    actionControl(context),
  );
  for (const { itemId, run } of summary.items) {
    const worker = (run.parameters.fleet as { worker: string }).worker;
    print(`item ${itemId}: run ${run.id} by worker ${worker}, output ${shortHash(run.outputSha256)} (${run.outputStorePath}), PDQ distance ${run.pdqDistance}`);
  }
  if (summary.doneEarlier.length > 0) print(`items ${summary.doneEarlier.join(', ')}: already recorded with the same bundle and parameters`);
  const job = summary.jobId === null ? 'nothing to do' : `purify job ${summary.jobId}`;
  print(
    `${job}: ${summary.items.length} purified on workers with bundle ${summary.bundlePath} (manifest ${shortHash(summary.bundleManifestSha256)}), ${summary.imagesPerMinute.toFixed(1)} images/min`,
  );
  const problems = [...summary.refused, ...summary.failed];
  if (problems.length > 0) {
    throw new UserInputError(
      `${problems.length} item${problems.length === 1 ? '' : 's'} not recorded: ${problems.map((problem) => problem.reason).join('; ')}`,
    );
  }
  return {
    jobId: summary.jobId,
    doneEarlier: summary.doneEarlier,
    imagesPerMinute: summary.imagesPerMinute,
    runs: summary.items.map(({ itemId, run }) => ({
      itemId,
      runId: run.id,
      outputSha256: run.outputSha256,
      outputStorePath: run.outputStorePath,
      pdqDistance: run.pdqDistance,
      worker: (run.parameters.fleet as { worker: string }).worker,
    })),
  };
}
