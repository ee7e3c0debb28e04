import { loadModelRegistry } from '../../acsr/models/model-registry.ts';
import { DEFAULT_PURIFICATION_OPTIONS } from '../../acsr/purification/purify-image.ts';
import { runAction } from '../../actions/define-action.ts';
import { purifyEvidenceAction } from '../../actions/purify-evidence-action.ts';
import { actionControl } from '../action-control.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';
import { caseOption, examinerOption, shortHash } from './case-options.ts';
import { purifyOnWorkers } from './case-purify-on-workers.ts';

const o = DEFAULT_PURIFICATION_OPTIONS;

export const casePurifyCommand = defineCommand({
  name: 'purify',
  summary: 'purify evidence items with a reference bundle; the output is stored in the case, the evidence untouched',
  description: [
    "Each item is read from the evidence store and its SHA-256 checked (an altered file is refused and the failure logged), purified with the bundle (stage iii: nearest cluster by Mahalanobis distance, or --cluster with a --reason), and the purified PNG stored in the case's evidence store under its own SHA-256, read-only. The run is recorded with the bundle's manifest hash, every parameter, the cluster chosen and all distances, the override and its reason, the output's SHA-256 and PDQ and its PDQ distance from the evidence, and timings.",
    'With --classifier, the content filter scores the evidence and the purified output and both verdicts are recorded (with --queue, this workstation scores them as each output is accepted).',
    'A bundle calibrated by `acsr calibrate-evasion` also gives each item an evasion score (the estimated probability that the image was made to fool the filter, with the signals behind it), recorded with the run.',
    `The method's parameters come from the bundle: a bundle tuned by \`acsr tune --bundle-out\` supplies its Tikhonov lambda, CBPDN lambda and iteration cap, any other bundle the paper's values (Tikhonov lambda ${o.tikhonovLambda}, CBPDN lambda ${o.cscLambda}, at most ${o.maxIterations} iterations); the tolerance is ${o.tolerance}. Only the iteration cap can be changed here, so that runs with the same bundle compare across cases; the record says where each value came from. Use acsr purify outside a case to experiment with the others.`,
  ].join('\n\n'),
  examples: [
    'acsr case purify --case cases/2026-0042 --all --bundle models/default-bundle --classifier nsfwjs-mobilenet-v2 --examiner "A. Jones"',
    'acsr case purify --case cases/2026-0042 --item 12 --bundle models/default-bundle --cluster neutral:1 --reason "cartoon, not a photo" --examiner "A. Jones"',
    'acsr case purify --case cases/2026-0042 --resume --examiner "A. Jones"',
    'acsr case purify --case cases/2026-0042 --all --bundle models/default-bundle --queue redis://10.0.0.5:6379 --shared /mnt/acsr-shared --examiner "A. Jones"',
  ],
  options: {
    case: caseOption,
    item: { type: 'integer', multiple: true, min: 1, valueName: 'ID', description: 'evidence items to purify' },
    all: { type: 'boolean', description: 'purify every item of the case' },
    bundle: { type: 'string', valueName: 'DIR', description: "reference bundle folder (acsr train); --resume uses the job's own" },
    resume: { type: 'boolean', description: 'carry on with the latest purify job that was interrupted, cancelled or failed, with its settings' },
    examiner: examinerOption,
    cluster: { type: 'string', valueName: 'ID', description: 'use this cluster (e.g. neutral:0) instead of the nearest; needs --reason' },
    reason: { type: 'string', valueName: 'TEXT', description: 'why the cluster is overridden (recorded in the audit log)' },
    classifier: { type: 'string', valueName: 'MODEL', description: 'content filter for verdicts before and after (e.g. nsfwjs-mobilenet-v2)' },
    maxIterations: { type: 'integer', min: 1, valueName: 'N', description: `CBPDN iteration cap (default: the bundle's tuned value, else ${o.maxIterations})` },
    threads: { type: 'integer', min: 1, description: 'CBPDN worker threads (default: all cores)' },
    queue: {
      type: 'string',
      valueName: 'redis://HOST:PORT',
      description: "purify on workers ('acsr worker') taking tasks from this queue; this process checks and records their outputs",
    },
    shared: {
      type: 'string',
      valueName: 'DIR',
      description: 'with --queue: the shared location the workers mount (evidence and the bundle are published there)',
    },
  },
  async run(context) {
    const { options, print, note } = context;
    if (options.classifier !== undefined && !loadModelRegistry().models.some((model) => model.id === options.classifier)) {
      throw new UsageError(
        `unknown classifier '${options.classifier}' (registered: ${loadModelRegistry()
          .models.map((model) => model.id)
          .join(', ')})`,
      );
    }
    if (options.queue !== undefined) return purifyOnWorkers(context);
    if (options.shared !== undefined) throw new UsageError('--shared goes with --queue');
    if (options.resume) {
      if (options.all || options.item.length > 0 || options.cluster !== undefined || options.reason !== undefined || options.classifier !== undefined) {
        throw new UsageError('--resume takes no --item, --all, --cluster, --reason or --classifier: the job remembers them');
      }
    } else {
      if (options.all === options.item.length > 0)
        throw new UsageError(options.all ? 'give --item or --all, not both' : 'give --item ID... or --all (or --resume)');
      if (options.bundle === undefined) throw new UsageError('--bundle is required');
    }
    if ((options.cluster === undefined) !== (options.reason === undefined))
      throw new UsageError('--cluster and --reason go together: an override must say why');
    const { summary, bundlePath, bundleManifestSha256 } = await runAction(
      purifyEvidenceAction,
      {
        caseFolder: options.case,
        examiner: options.examiner,
        work: options.resume
          ? { kind: 'resume', caseJobId: null }
          : {
              kind: 'new',
              items: options.all ? 'all' : options.item,
              bundlePath: options.bundle!,
              classifierId: options.classifier ?? null,
              override: options.cluster !== undefined ? { cluster: options.cluster, reason: options.reason! } : null,
              options: {
                ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
                ...(options.threads !== undefined ? { threads: options.threads } : {}),
              },
            },
      },
      actionControl(context),
    );
    if (summary.resumed) print(`resumed purify job ${summary.jobId}: items ${summary.doneEarlier.join(', ') || 'none'} were done before`);
    for (const item of summary.items) {
      const { run } = item;
      const ids = run.parameters.clusterIds as string[];
      const used = run.override ? `${ids[run.override.cluster]} (override of ${ids[run.chosenCluster]})` : ids[run.chosenCluster];
      const before = item.verdicts.find((v) => v.stage === 'before');
      const after = item.verdicts.find((v) => v.stage === 'after');
      const verdicts = before && after ? `, ${before.topClass} -> ${after.topClass}` : '';
      const evasion = run.evasion ? `, evasion score ${run.evasion.score.toFixed(3)}${run.evasion.suspected ? ' (suspected evasion)' : ''}` : '';
      print(
        `item ${item.itemId}: run ${run.id}, cluster ${used}, output ${shortHash(run.outputSha256)} (${run.outputStorePath}), PDQ distance ${run.pdqDistance}${verdicts}${evasion}`,
      );
      for (const warning of item.warnings) note(warning);
    }
    print(
      `purify job ${summary.jobId}: ${summary.items.length} item${summary.items.length === 1 ? '' : 's'} purified with bundle ${bundlePath} (manifest ${shortHash(bundleManifestSha256)}), ${summary.imagesPerMinute.toFixed(1)} images/min`,
    );
    return {
      jobId: summary.jobId,
      resumed: summary.resumed,
      doneEarlier: summary.doneEarlier,
      imagesPerMinute: summary.imagesPerMinute,
      runs: summary.items.map(({ itemId, run, verdicts }) => ({
        itemId,
        runId: run.id,
        outputSha256: run.outputSha256,
        outputStorePath: run.outputStorePath,
        pdqDistance: run.pdqDistance,
        chosenCluster: (run.parameters.clusterIds as string[])[run.chosenCluster],
        override: run.override,
        verdicts: verdicts.map(({ stage, modelId, topClass, scores }) => ({ stage, modelId, topClass, scores })),
        evasion: run.evasion ?? null,
      })),
    };
  },
});
