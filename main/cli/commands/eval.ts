import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ATTACK_SPEC_HELP, PAPER_TABLE_ATTACKS, parseAttackSpec, parseAttackSpecs } from '../../acsr/attacks/attack-spec.ts';
import { DEFENSE_NAMES } from '../../acsr/defenses/create-defense.ts';
import { MissingSingleDictionarySource, SMALL_IMAGE_PIXELS } from '../../acsr/evaluation/evaluate-folder.ts';
import { formatProportion } from '../../acsr/evaluation/results-markdown.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { runAction } from '../../actions/define-action.ts';
import { evaluateAction } from '../../actions/evaluate-action.ts';
import { actionControl } from '../action-control.ts';
import { UsageError } from '../errors.ts';
import { defineCommand } from '../command.ts';

const SHARED_FASHION_MNIST = resolve(import.meta.dirname, '../../../../shared/data/fashion-mnist');

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'accuracy of a classifier under attacks, for every defense (ACSR and the baselines), with 95 % intervals and paired tests',
  description:
    'Attacks each labelled clean image with every attack (crafted against the undefended classifier: the ' +
    'non-adaptive setting the paper reports), passes the clean and attacked images through every defense, and ' +
    'classifies the results. Reports accuracy per attack x defense with Wilson 95 % intervals, clean accuracy per ' +
    "defense, the attacks' success and achieved sizes (dissimilarity ||x'-x||_2 / ||x||_2, per-pixel L2, Linf), every " +
    "defense's accuracy on the images each attack fooled (undefended classifier right on the clean image, wrong after " +
    "the attack), McNemar's exact paired test of acsr against every other defense per row (discordant counts b and c, " +
    "two-sided exact p and mid-p), for ACSR the share of attacked images that select the clean image's cluster, and " +
    "time per image. --adaptive bpda adds the adaptive attacker (BPDA: the defense's backward " +
    'pass taken as the identity, EOT over its randomness) against each defense. Writes results.json, results.md, ' +
    'accuracy-by-attack.png and accuracy-vs-budget.png into --out, and journal.jsonl, from which an interrupted run ' +
    'resumes: run the same command again.\n\n' +
    ATTACK_SPEC_HELP,
  examples: [
    'acsr eval --model fmnist-baseline-cnn-b25dc5da0ce9 --bundle models/fashion-mnist-bundle --data fashion-mnist --limit 1000 --out eval-fmnist',
    'acsr eval --model nsfwjs-mobilenet-v2 --bundle models/default-bundle --data photo-set/ --attacks fgsm-dis:0.04,deepfool-dis:0.04,pgd-linf:4/255 --defenses none,jpeg75,acsr --adaptive bpda --out eval-nsfw',
  ],
  options: {
    model: { type: 'string', required: true, valueName: 'ID', description: 'the classifier attacked and protected (registry id)' },
    bundle: {
      type: 'string',
      valueName: 'BUNDLE',
      description: 'reference bundle for acsr (and the parameters of single-dict); its extractor may differ from --model',
    },
    data: {
      type: 'string',
      required: true,
      valueName: 'DIR|fashion-mnist',
      description:
        "class sub-folders named as the classifier's classes, or the Fashion-MNIST folder (its test split is used); fashion-mnist = ../shared/data/fashion-mnist",
    },
    attacks: {
      type: 'string',
      default: PAPER_TABLE_ATTACKS,
      valueName: 'SPECS',
      description: "comma-separated attack specs (below; default: the paper's five columns at its budgets), or none",
    },
    defenses: { type: 'string', default: DEFENSE_NAMES.join(','), valueName: 'NAMES', description: `comma-separated defenses (${DEFENSE_NAMES.join(', ')})` },
    adaptive: { type: 'string', choices: ['none', 'bpda'], default: 'none', description: 'also run the adaptive attacker against each defense' },
    bpdaAttack: { type: 'string', default: 'pgd:0.04', valueName: 'SPEC', description: 'the attack BPDA runs through each defense' },
    eot: { type: 'integer', default: 4, min: 1, valueName: 'N', description: 'BPDA: gradient draws averaged per step for randomised defenses (EOT)' },
    limit: { type: 'integer', min: 1, valueName: 'N', description: 'evaluate the first N images (folders: classes interleaved)' },
    batchSize: { type: 'integer', default: 32, min: 1, valueName: 'N', description: 'images attacked together (a journal unit)' },
    singleDict: { type: 'string', valueName: 'FILE.npy', description: 'single-dict: this dictionary instead of learning one from --train-data' },
    trainData: {
      type: 'string',
      valueName: 'DIR|fashion-mnist',
      description: "single-dict: the bundle's training images (default: the Fashion-MNIST folder for Fashion-MNIST bundles)",
    },
    threads: { type: 'integer', min: 1, description: `CBPDN threads per image (default: 1 for images up to ${SMALL_IMAGE_PIXELS} pixels, else all cores)` },
    maxIterations: {
      type: 'integer',
      min: 1,
      valueName: 'N',
      description: "CBPDN iteration cap of single-dict and acsr (default: the bundle's tuned value): what another budget protects",
    },
    seed: { type: 'integer', default: 0, description: 'seed of every random choice (PGD starts, TVM masks)' },
    out: { type: 'string', required: true, valueName: 'DIR', description: 'results folder; running again into it resumes' },
    plots: { type: 'boolean', default: true, description: 'write the PNG plots (--no-plots to skip)' },
    reportOnly: {
      type: 'boolean',
      default: false,
      description: 'compute nothing: write the results of the batches finished so far (every row of a batch done), e.g. while a long run goes on',
    },
  },
  async run(context) {
    const { options, print } = context;
    // 'none': only the clean row (and BPDA, with --adaptive bpda)
    const attacks = options.attacks.trim() === 'none' ? [] : parseAttackSpecs(options.attacks);
    const names = options.attacks
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (new Set(attacks.map((a) => a.name)).size !== attacks.length) throw new UsageError(`--attacks names an attack twice (${names.join(', ')})`);
    const defenseNames = options.defenses
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (defenseNames.length === 0) throw new UsageError('--defenses is empty');
    if (new Set(defenseNames).size !== defenseNames.length) throw new UsageError('--defenses names a defense twice');
    const unknown = defenseNames.filter((n) => !(DEFENSE_NAMES as readonly string[]).includes(n));
    if (unknown.length) throw new UsageError(`unknown defense(s) ${unknown.join(', ')}; the defenses are ${DEFENSE_NAMES.join(', ')}`);
    const needsBundle = defenseNames.includes('acsr') || (defenseNames.includes('single-dict') && options.singleDict === undefined);
    if (needsBundle && options.bundle === undefined) throw new UsageError('acsr (and single-dict without --single-dict) need --bundle');
    // Parsed here too, so that a bad BPDA spec is a usage error before anything loads.
    if (options.adaptive === 'bpda') parseAttackSpec(options.bpdaAttack);
    const data = resolveDataFolder(options.data);

    const { outcome } = await runAction(
      evaluateAction,
      {
        model: options.model,
        data,
        attacks: attacks.length === 0 ? 'none' : options.attacks,
        defenses: defenseNames,
        batchSize: options.batchSize,
        seed: options.seed,
        out: options.out,
        plots: options.plots,
        reportOnly: options.reportOnly,
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        ...(options.bundle !== undefined ? { bundlePath: options.bundle } : {}),
        ...(options.adaptive === 'bpda' ? { adaptive: { attack: options.bpdaAttack, eotSamples: options.eot } } : {}),
        ...(options.singleDict !== undefined ? { singleDict: options.singleDict } : {}),
        ...(options.trainData !== undefined ? { trainData: resolveDataFolder(options.trainData) } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
      },
      actionControl(context),
    ).catch((error: unknown) => {
      throw error instanceof MissingSingleDictionarySource ? new UsageError(error.message) : error;
    });
    if (outcome.kind === 'report-only') {
      print(`${outcome.unitsReported} of ${outcome.unitsTotal} units in finished batches; written: ${outcome.written.join(', ')}`);
      return { out: options.out, unitsTotal: outcome.unitsTotal, unitsReported: outcome.unitsReported };
    }
    const { results } = outcome;
    if (outcome.unitsResumed > 0) print(`resumed: ${outcome.unitsResumed} of ${outcome.unitsTotal} units were already done`);
    for (const row of results.rows) {
      print(
        `${row.padEnd(22)} ${results.setup.defenses
          .map((d) => {
            const cell = results.cells.find((c) => c.row === row && c.defense === d.name);
            return `${d.name} ${cell ? (100 * cell.accuracy.value).toFixed(1) : '-'}%`;
          })
          .join('  ')}`,
      );
    }
    for (const c of results.clusterAgreement) print(`cluster agreement ${c.row} ${c.defense}: ${formatProportion(c.agreement)}`);
    print(`written: ${outcome.written.join(', ')}`);
    return {
      out: options.out,
      unitsTotal: outcome.unitsTotal,
      unitsResumed: outcome.unitsResumed,
      unitsRun: outcome.unitsRun,
      results: join(options.out, 'results.json'),
    };
  },
});

function resolveDataFolder(data: string): string {
  if (data !== 'fashion-mnist') return data;
  const folder = process.env.ACSR_FASHION_MNIST ?? SHARED_FASHION_MNIST;
  if (!existsSync(folder)) throw new UserInputError(`fashion-mnist: ${folder} not found (set ACSR_FASHION_MNIST to the folder with the IDX files)`);
  return folder;
}
