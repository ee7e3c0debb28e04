import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ATTACK_SPEC_HELP, parseAttackSpec, parseAttackSpecs } from '../../acsr/attacks/attack-spec.ts';
import { attackableImageModel } from '../../acsr/attacks/tf-image-model-classifier.ts';
import { createDefense, DEFENSE_NAMES } from '../../acsr/defenses/create-defense.ts';
import type { Defense } from '../../acsr/defenses/defense.ts';
import { learnSingleDictionary, loadSingleDictionary, saveSingleDictionary } from '../../acsr/defenses/single-dictionary.ts';
import { DefenseWorkerPool } from '../../acsr/evaluation/defense-worker-pool.ts';
import { EvaluationJournal, JOURNAL_FILE } from '../../acsr/evaluation/evaluation-journal.ts';
import { writeEvaluationOutputs } from '../../acsr/evaluation/evaluation-output.ts';
import { type EvaluationSetup, summariseEvaluation } from '../../acsr/evaluation/evaluation-results.ts';
import { loadEvaluationSamples } from '../../acsr/evaluation/evaluation-samples.ts';
import { formatProportion } from '../../acsr/evaluation/results-markdown.ts';
import { planUnitKeys, runEvaluation } from '../../acsr/evaluation/run-evaluation.ts';
import { loadTfImageModel } from '../../acsr/models/tf-image-model.ts';
import { DEFAULT_PURIFICATION_OPTIONS } from '../../acsr/purification/purification-options.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../acsr/references/bundle-reader.ts';
import { fashionMnistSource, isFashionMnistFolder, labelledFolder } from '../../acsr/references/labelled-images.ts';
import { sha256Hex } from '../../acsr/references/bundle-writer.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { ProgressReporter } from '../../progress/progress.ts';
import { UsageError } from '../errors.ts';
import { defineCommand } from '../command.ts';

const SHARED_FASHION_MNIST = resolve(import.meta.dirname, '../../../../shared/data/fashion-mnist');
const SINGLE_DICTIONARY_FILE = 'single-dictionary.npy';
/** Up to this many pixels, one CBPDN thread per image is faster than splitting a tiny problem across threads. */
const SMALL_IMAGE_PIXELS = 128 * 128;
/** Defenses that sparse-code every image: on small images they run one image per worker thread. */
const POOLED_DEFENSES = new Set(['single-dict', 'acsr']);

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'issue 4: accuracy of a classifier under attacks, for every defense (ACSR and the baselines), with 95 % intervals',
  description:
    'Attacks each labelled clean image with every attack (crafted against the undefended classifier: the ' +
    'non-adaptive setting the paper reports), passes the clean and attacked images through every defense, and ' +
    'classifies the results. Reports accuracy per attack x defense with Wilson 95 % intervals, clean accuracy per ' +
    'defense, the attacks\' success and achieved norms, for ACSR the share of attacked images that select the clean ' +
    'image\'s cluster, and time per image. --adaptive bpda adds the adaptive attacker (BPDA: the defense\'s backward ' +
    'pass taken as the identity, EOT over its randomness) against each defense. Writes results.json, results.md, ' +
    'accuracy-by-attack.png and accuracy-vs-budget.png into --out, and journal.jsonl, from which an interrupted run ' +
    'resumes: run the same command again.\n\n' + ATTACK_SPEC_HELP,
  examples: [
    'acsr eval --model fmnist-baseline-cnn-b25dc5da0ce9 --bundle models/fashion-mnist-bundle --data fashion-mnist --limit 1000 --out eval-fmnist',
    'acsr eval --model nsfwjs-mobilenet-v2 --bundle models/default-bundle --data photo-set/ --attacks fgsm:0.02,fgsm:0.04,deepfool --defenses none,jpeg75,acsr --adaptive bpda --out eval-nsfw',
  ],
  options: {
    model: { type: 'string', required: true, valueName: 'ID', description: 'the classifier attacked and protected (registry id)' },
    bundle: { type: 'string', valueName: 'BUNDLE', description: 'reference bundle for acsr (and the parameters of single-dict); its extractor may differ from --model' },
    data: { type: 'string', required: true, valueName: 'DIR|fashion-mnist', description: 'class sub-folders named as the classifier\'s classes, or the Fashion-MNIST folder (its test split is used); fashion-mnist = ../shared/data/fashion-mnist' },
    attacks: { type: 'string', default: 'fgsm:0.04,bim,deepfool,cw', valueName: 'SPECS', description: 'comma-separated attack specs (below), or none' },
    defenses: { type: 'string', default: DEFENSE_NAMES.join(','), valueName: 'NAMES', description: `comma-separated defenses (${DEFENSE_NAMES.join(', ')})` },
    adaptive: { type: 'string', choices: ['none', 'bpda'], default: 'none', description: 'also run the adaptive attacker against each defense' },
    bpdaAttack: { type: 'string', default: 'pgd:0.04', valueName: 'SPEC', description: 'the attack BPDA runs through each defense' },
    eot: { type: 'integer', default: 4, min: 1, valueName: 'N', description: 'BPDA: gradient draws averaged per step for randomised defenses (EOT)' },
    limit: { type: 'integer', min: 1, valueName: 'N', description: 'evaluate the first N images (folders: classes interleaved)' },
    batchSize: { type: 'integer', default: 32, min: 1, valueName: 'N', description: 'images attacked together (a journal unit)' },
    singleDict: { type: 'string', valueName: 'FILE.npy', description: 'single-dict: this dictionary instead of learning one from --train-data' },
    trainData: { type: 'string', valueName: 'DIR|fashion-mnist', description: 'single-dict: the bundle\'s training images (default: the Fashion-MNIST folder for Fashion-MNIST bundles)' },
    threads: { type: 'integer', min: 1, description: `CBPDN threads per image (default: 1 for images up to ${SMALL_IMAGE_PIXELS} pixels, else all cores)` },
    seed: { type: 'integer', default: 0, description: 'seed of every random choice (PGD starts, TVM masks)' },
    out: { type: 'string', required: true, valueName: 'DIR', description: 'results folder; running again into it resumes' },
    plots: { type: 'boolean', default: true, description: 'write the PNG plots (--no-plots to skip)' },
    reportOnly: { type: 'boolean', default: false, description: 'compute nothing: write the results of the batches finished so far (every row of a batch done), e.g. while a long run goes on' },
  },
  async run({ options, print, note, progress, signal }) {
    // 'none': only the clean row (and BPDA, with --adaptive bpda)
    const attacks = options.attacks.trim() === 'none' ? [] : parseAttackSpecs(options.attacks);
    const names = options.attacks.split(',').map((s) => s.trim()).filter(Boolean);
    if (new Set(attacks.map((a) => a.name)).size !== attacks.length) throw new UsageError(`--attacks names an attack twice (${names.join(', ')})`);
    const defenseNames = options.defenses.split(',').map((s) => s.trim()).filter(Boolean);
    if (defenseNames.length === 0) throw new UsageError('--defenses is empty');
    if (new Set(defenseNames).size !== defenseNames.length) throw new UsageError('--defenses names a defense twice');
    const unknown = defenseNames.filter((n) => !(DEFENSE_NAMES as readonly string[]).includes(n));
    if (unknown.length) throw new UsageError(`unknown defense(s) ${unknown.join(', ')}; the defenses are ${DEFENSE_NAMES.join(', ')}`);
    const needsBundle = defenseNames.includes('acsr') || (defenseNames.includes('single-dict') && options.singleDict === undefined);
    if (needsBundle && options.bundle === undefined) throw new UsageError('acsr (and single-dict without --single-dict) need --bundle');
    const adaptiveAttack = options.adaptive === 'bpda' ? parseAttackSpec(options.bpdaAttack) : null;
    const data = resolveDataFolder(options.data);

    const bundle = options.bundle === undefined ? null : await loadReferenceBundle(options.bundle);
    await mkdir(options.out, { recursive: true });
    const model = await loadTfImageModel(options.model);
    const owned: { dispose(): void | Promise<void> }[] = [model];
    try {
      const samples = await loadEvaluationSamples(data, model.classNames, model.inputSize.channels === 1 && bundle?.manifest.channels !== 3 ? 1 : 3, options.limit);
      const pixels = samples.samples[0].image.height * samples.samples[0].image.width;
      const threads = options.threads ?? (pixels <= SMALL_IMAGE_PIXELS ? 1 : availableParallelism());
      const singleDictionary = defenseNames.includes('single-dict')
        ? await singleDictionaryFor(options.singleDict, bundle!, options.trainData ?? (bundle?.manifest.trainingData.kind === 'fashion-mnist' ? data : undefined), options.out, progress.sub(0, 0.05, 'single-dict'), signal, note)
        : undefined;
      const sharedExtractor = bundle && bundle.manifest.extractor.id === model.identity.id ? model : undefined;
      const pooledNames = threads === 1 && availableParallelism() > 1 ? defenseNames.filter((n) => POOLED_DEFENSES.has(n)) : [];
      const pooled = pooledNames.length === 0 ? null : await DefenseWorkerPool.start(availableParallelism(), {
        defenses: pooledNames, bundlePath: bundle?.path, singleDictionaryPath: singleDictionary?.path, purification: { threads: 1 },
      });
      if (pooled) owned.push({ dispose: () => pooled.pool.close() });
      const defenses: Defense[] = [];
      for (const name of defenseNames) {
        const defense = pooled?.defenses.find((d) => d.name === name)
          ?? await createDefense(name, { bundle: bundle ?? undefined, extractor: sharedExtractor, singleDictionary: singleDictionary?.dictionary, purification: { threads } });
        defenses.push(defense);
        owned.push(defense);
      }

      const setup: EvaluationSetup = {
        model: { id: model.identity.id, backend: model.identity.backend, classNames: model.classNames },
        bundle: bundle ? { path: bundle.path, manifestSha256: bundle.manifestSha256, extractor: bundle.manifest.extractor.id } : null,
        data: { description: samples.description, fingerprint: samples.fingerprint, count: samples.samples.length },
        attacks: attacks.map((a) => ({ name: a.name, budget: a.budget })),
        defenses: defenses.map((d) => ({ name: d.name, description: d.description })),
        adaptive: adaptiveAttack ? { attack: adaptiveAttack.name, budget: adaptiveAttack.budget, eotSamples: options.eot } : null,
        seed: options.seed,
        batchSize: options.batchSize,
      };
      // The data's identity is not part of it: each unit names its batch's content (run-evaluation.ts).
      const journal = EvaluationJournal.open(join(options.out, JOURNAL_FILE), {
        ...setup, data: null, model: { ...setup.model, weightSha256: model.identity.weightSha256 }, singleDictionarySha256: singleDictionary?.sha256 ?? null,
        purification: { ...DEFAULT_PURIFICATION_OPTIONS, threads: null },
      });
      const plannedUnits = (keys: readonly string[]) => journal.units().filter((unit) => keys.includes(unit.unit));
      const unitKeys = planUnitKeys({ samples: samples.samples, attacks, defenses, batchSize: options.batchSize, adaptive: adaptiveAttack ? { attack: adaptiveAttack, eotSamples: options.eot } : undefined });
      if (options.reportOnly) {
        const done = finishedBatchUnits(unitKeys, journal);
        const count = done.images(samples.samples.length, options.batchSize);
        const data = { ...setup.data, count, description: `the first ${count} (finished batches) of ${samples.description}` };
        const results = summariseEvaluation({ ...setup, data }, plannedUnits(done.keys), done.keys.length === unitKeys.length);
        const written = await writeEvaluationOutputs(options.out, results, { plots: options.plots });
        print(`${done.keys.length} of ${unitKeys.length} units in finished batches; written: ${written.join(', ')}`);
        return { out: options.out, unitsTotal: unitKeys.length, unitsReported: done.keys.length };
      }
      const classifier = attackableImageModel(model, { batchSize: model.inputSize.height * model.inputSize.width <= SMALL_IMAGE_PIXELS ? 256 : 4 });
      const report = await runEvaluation({
        samples: samples.samples, classifier, attacks, defenses, batchSize: options.batchSize, seed: options.seed, journal,
        adaptive: adaptiveAttack ? { attack: adaptiveAttack, eotSamples: options.eot } : undefined,
        concurrentDefenses: new Set(pooledNames), progress: progress.sub(0.05, 1, 'eval'), signal,
      }).finally(async () => {
        // Partial results stay readable after a cancel or a crash.
        const partial = summariseEvaluation(setup, plannedUnits(unitKeys), false);
        await writeEvaluationOutputs(options.out, partial, { plots: false });
      });
      const results = summariseEvaluation(setup, plannedUnits(report.unitKeys), true);
      const written = await writeEvaluationOutputs(options.out, results, { plots: options.plots });
      if (report.unitsResumed > 0) print(`resumed: ${report.unitsResumed} of ${report.unitsTotal} units were already done`);
      for (const row of results.rows) {
        print(`${row.padEnd(22)} ${defenses.map((d) => {
          const cell = results.cells.find((c) => c.row === row && c.defense === d.name);
          return `${d.name} ${cell ? (100 * cell.accuracy.value).toFixed(1) : '-'}%`;
        }).join('  ')}`);
      }
      for (const c of results.clusterAgreement) print(`cluster agreement ${c.row} ${c.defense}: ${formatProportion(c.agreement)}`);
      print(`written: ${written.join(', ')}`);
      return { out: options.out, unitsTotal: report.unitsTotal, unitsResumed: report.unitsResumed, unitsRun: report.unitsRun, results: join(options.out, 'results.json') };
    } finally {
      for (const part of owned.reverse()) await part.dispose();
    }
  },
});

/** The units of the leading batches whose every row is in the journal (a partial report compares like with like). */
function finishedBatchUnits(unitKeys: readonly string[], journal: EvaluationJournal) {
  const batchOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);
  const batches = [...new Set(unitKeys.map(batchOf))];
  const finished: string[] = [];
  for (const batch of batches) {
    const keys = unitKeys.filter((key) => batchOf(key) === batch);
    if (!keys.every((key) => journal.has(key))) break;
    finished.push(...keys);
  }
  const batchCount = new Set(finished.map(batchOf)).size;
  return { keys: finished, images: (total: number, batchSize: number) => Math.min(total, batchCount * batchSize) };
}

function resolveDataFolder(data: string): string {
  if (data !== 'fashion-mnist') return data;
  const folder = process.env.ACSR_FASHION_MNIST ?? SHARED_FASHION_MNIST;
  if (!existsSync(folder)) throw new UserInputError(`fashion-mnist: ${folder} not found (set ACSR_FASHION_MNIST to the folder with the IDX files)`);
  return folder;
}

/**
 * single-dict's dictionary: the one given, or learned once from the bundle's training images with
 * the bundle's parameters and kept in --out (a resumed run reuses it rather than relearning).
 */
async function singleDictionaryFor(
  given: string | undefined, bundle: ReferenceBundle, trainData: string | undefined, out: string,
  progress: ProgressReporter, signal: AbortSignal, note: (line: string) => void,
) {
  const cached = join(out, SINGLE_DICTIONARY_FILE);
  const path = given ?? (existsSync(cached) ? cached : undefined);
  if (path !== undefined) {
    const loaded = await loadSingleDictionary(path);
    return { path, dictionary: loaded.dictionary, sha256: sha256Hex(new Uint8Array(loaded.dictionary.data.buffer)) };
  }
  if (trainData === undefined) throw new UsageError('single-dict needs --single-dict FILE.npy or --train-data (the bundle\'s training images)');
  const folder = resolveDataFolder(trainData);
  const training = bundle.manifest.trainingData;
  const channels = bundle.manifest.channels === 3 ? 3 : 1;
  const source = (await isFashionMnistFolder(folder))
    ? await fashionMnistSource(folder, training.kind === 'fashion-mnist' ? training.imageCount : undefined, channels)
    : await labelledFolder(folder, channels);
  const learned = await learnSingleDictionary({ source, parameters: bundle.manifest.parameters, channels, progress, signal });
  if (learned.provenance.datasetSha256 !== training.datasetSha256) {
    note(`single-dict learned from ${folder}, which is not the data the bundle was trained on (dataset SHA-256 differs)`);
  }
  await saveSingleDictionary(cached, learned);
  return { path: cached, dictionary: learned.dictionary, sha256: sha256Hex(new Uint8Array(learned.dictionary.data.buffer)) };
}
