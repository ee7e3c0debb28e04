/**
 * `acsr attack`: attacks images against a registered classifier and writes each adversarial image
 * as a 16-bit PNG with a JSON record beside it. Every image is attacked and encoded before any file
 * is written, so a bad input, an error or a cancel leaves no partial output. The record also
 * classifies the PNG as written (re-decoded), since 16-bit quantisation (steps of 1/65535) can in
 * principle move an image that sits right on a decision boundary.
 */
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ATTACK_NAMES, ATTACK_SPEC_HELP, parseAttackSpec } from '../../acsr/attacks/attack-spec.ts';
import type { AttackBudget, ImageBatch } from '../../acsr/attacks/attack-types.ts';
import { describeBudget, normalisationOf } from '../../acsr/attacks/budget-description.ts';
import { perturbationSizes } from '../../acsr/attacks/perturbation-norms.ts';
import { predictedClasses, softmaxRows } from '../../acsr/attacks/score-objectives.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { decodeImage, encodePng } from '../../io/image.ts';
import type { ImageArray } from '../../acsr/array/image-array.ts';
import { expandImageInputs } from '../../io/image-inputs.ts';
import { readInputBytes } from '../../io/input-file.ts';
import { defineCommand } from '../command.ts';
import { productVersion } from '../../version.ts';

const NORMALISATION =
  "dissimilarity = ||x_adv - x||_2 / ||x||_2 (the paper's budgets), l2PerPixel = ||x_adv - x||_2 / sqrt(H*W*C) and " +
  'linf255 = 255 * max |x_adv - x|, pixels in [0, 1], on the image at its own size';

export const attackCommand = defineCommand({
  name: 'attack',
  summary: 'adversarial attacks (FGSM, BIM, PGD, DeepFool, CW-L2) on a registered classifier',
  description:
    "Attacks each image in its own pixels (gradients flow back through the model's resize), untargeted on the " +
    "true class (--label, else the model's clean prediction) or targeted (--target). Writes <name>.adversarial.png " +
    '(16-bit, lossless up to 1/65535 steps) and <name>.attack.json (model, weight hash, backend, attack spec, budget, ' +
    'achieved norms, success, iterations, original and adversarial class with scores, and the same for the PNG as ' +
    "written).\n\nBudgets: the -dis attacks use the paper's normalised L2 dissimilarity ||x'-x||_2 / ||x||_2; the " +
    'unsuffixed L2 ones ||delta||_2 / sqrt(H*W*C); the -linf ones max |delta|; pixels in [0, 1].\n\n' +
    ATTACK_SPEC_HELP,
  examples: [
    'acsr attack --model nsfwjs-mobilenet-v2 --attack fgsm-dis:0.04 --in photo.jpg --out adv/',
    'acsr attack --model nsfwjs-mobilenet-v2 --attack pgd-linf:8/255:steps=20 --in photos/ --out adv/ --target Neutral',
  ],
  options: {
    model: { type: 'string', required: true, valueName: 'ID', description: 'registered classifier (acsr models list)' },
    attack: {
      type: 'string',
      required: true,
      valueName: 'SPEC',
      description: `attack spec, e.g. fgsm-dis:0.08, deepfool-dis:0.04, pgd-linf:8/255:steps=20 (${ATTACK_NAMES.join(', ')})`,
    },
    in: { type: 'string', required: true, multiple: true, valueName: 'IMG|DIR', description: 'images to attack' },
    out: { type: 'string', required: true, valueName: 'DIR', description: 'output folder (created if missing)' },
    label: { type: 'string', valueName: 'CLASS', description: 'true class (name or index); default: the clean prediction' },
    target: { type: 'string', valueName: 'CLASS', description: 'targeted attack: push every image to this class (name or index)' },
    seed: { type: 'integer', default: 0, min: 0, valueName: 'N', description: 'seed of random starts (PGD)' },
  },
  async run({ options, print, note, progress, signal }) {
    const attack = parseAttackSpec(options.attack);
    const files = await expandImageInputs(options.in);
    const stems = new Map<string, string>();
    for (const file of files) {
      const stem = basename(file, extname(file));
      if (stems.has(stem))
        throw new UserInputError(`${file} and ${stems.get(stem)} would write the same outputs (${stem}.*); attack them into different --out folders`);
      stems.set(stem, file);
    }
    // Loaded on demand so that `acsr --help` does not start TensorFlow.js.
    const { loadTfImageModel } = await import('../../acsr/models/tf-image-model.ts');
    const { attackableImageModel } = await import('../../acsr/attacks/tf-image-model-classifier.ts');
    const model = await loadTfImageModel(options.model);
    try {
      const classNames = model.classNames;
      const label = options.label === undefined ? undefined : resolveClass(options.label, classNames, '--label');
      const target = options.target === undefined ? undefined : resolveClass(options.target, classNames, '--target');
      const classifier = attackableImageModel(model, { batchSize: 1 });
      const describe = async (image: ImageArray) => {
        const scores = await classifier.scores(asBatch(image));
        const index = predictedClasses(scores, classNames.length)[0];
        const probabilities = softmaxRows(scores, classNames.length);
        return {
          class: index,
          className: classNames[index],
          scores: Array.from(scores),
          probabilities: Object.fromEntries(classNames.map((name, k) => [name, probabilities[k]])),
        };
      };
      const outputs: { path: string; bytes: Buffer | string }[] = [];
      const images = [];
      for (const [i, file] of files.entries()) {
        const started = performance.now();
        const bytes = await readInputBytes(file, 'an image (PNG, JPEG, WebP or TIFF)');
        const image = await decodeImage(bytes, { source: file, channels: model.inputSize.channels === 3 ? 'rgb' : 'gray', precision: 'float32' });
        for (const line of image.notes) note(`${file}: ${line}`);
        const original = await describe(image);
        const trueClass = label ?? original.class;
        const stage = progress.sub(i / files.length, (i + 1) / files.length, basename(file));
        const { adversarial, records } = await attack.run({
          classifier,
          images: asBatch(image),
          labels: [trueClass],
          ...(target !== undefined ? { targets: [target] } : {}),
          seed: options.seed,
          signal,
          onProgress: (fraction) => stage.report({ stage: attack.name, fraction }),
        });
        const record = records[0];
        const adversarialImage: ImageArray = { height: image.height, width: image.width, channels: image.channels, data: adversarial.data };
        const png = await encodePng(adversarialImage, { bitDepth: 16 });
        const written = await decodeImage(png, { source: 'the adversarial PNG', channels: image.channels === 3 ? 'rgb' : 'gray', precision: 'float32' });
        const writtenClass = await describe(written);
        const writtenSizes = perturbationSizes(asBatch(image), asBatch(written))[0];
        const stem = basename(file, extname(file));
        const pngPath = join(options.out, `${stem}.adversarial.png`);
        const adversarialClass = await describe(adversarialImage);
        const success = (cls: number) => (target !== undefined ? cls === target : cls !== trueClass);
        const report = {
          producer: `acsr ${productVersion}`,
          input: { path: file, sha256: sha256Hex(bytes), height: image.height, width: image.width, channels: image.channels, notes: image.notes },
          output: { path: pngPath, sha256: sha256Hex(png), bitDepth: 16 },
          model: model.identity,
          backend: model.loadReport.backend,
          scoreKind: model.scoreKind,
          attack: { spec: attack.name, budget: budgetRecord(attack.budget), seed: options.seed, targeted: target !== undefined },
          normalisation: NORMALISATION,
          trueClass: { class: trueClass, className: classNames[trueClass], from: label === undefined ? 'clean prediction' : '--label' },
          target: target === undefined ? null : { class: target, className: classNames[target] },
          original,
          adversarial: {
            ...adversarialClass,
            success: record.success,
            dissimilarity: record.dissimilarity,
            l2PerPixel: record.l2PerPixel,
            linf255: record.linf255,
            iterations: record.iterations,
            ...(record.rejectedDissimilarity !== undefined ? { rejectedDissimilarity: record.rejectedDissimilarity } : {}),
          },
          written: {
            ...writtenClass,
            success: success(writtenClass.class),
            dissimilarity: writtenSizes.dissimilarity,
            l2PerPixel: writtenSizes.l2PerPixel,
            linf255: writtenSizes.linf255,
          },
          seconds: (performance.now() - started) / 1000,
        };
        outputs.push({ path: pngPath, bytes: png }, { path: join(options.out, `${stem}.attack.json`), bytes: JSON.stringify(report, null, 2) + '\n' });
        print(
          `${file}: ${original.className} -> ${report.written.className} (${report.written.success ? 'success' : 'failed'}), ` +
            `dissimilarity ${writtenSizes.dissimilarity.toFixed(4)}, l2/pixel ${writtenSizes.l2PerPixel.toFixed(4)}, linf ${writtenSizes.linf255.toFixed(2)}/255, ${record.iterations} iterations -> ${pngPath}`,
        );
        images.push({
          input: file,
          output: pngPath,
          from: original.className,
          to: report.written.className,
          success: report.written.success,
          dissimilarity: writtenSizes.dissimilarity,
          l2PerPixel: writtenSizes.l2PerPixel,
          linf255: writtenSizes.linf255,
          iterations: record.iterations,
        });
      }
      // Only now, with every image done: nothing is written when any of them failed or was cancelled.
      await mkdir(options.out, { recursive: true });
      for (const output of outputs) await writeFileAtomic(output.path, output.bytes);
      return { model: model.identity, attack: attack.name, budget: budgetRecord(attack.budget), normalisation: NORMALISATION, images };
    } finally {
      model.dispose();
    }
  },
});

function asBatch(image: ImageArray): ImageBatch {
  const data = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  return { count: 1, height: image.height, width: image.width, channels: image.channels, data };
}

/** A class by name (case-insensitive) or by index. */
function resolveClass(value: string, classNames: readonly string[], flag: string): number {
  const byName = classNames.findIndex((name) => name.toLowerCase() === value.toLowerCase());
  if (byName >= 0) return byName;
  if (/^\d+$/.test(value) && Number(value) < classNames.length) return Number(value);
  throw new UserInputError(`${flag} '${value}' is not a class of this model (${classNames.map((name, k) => `${k}=${name}`).join(', ')})`);
}

function budgetRecord(budget: AttackBudget | null) {
  if (!budget) return null;
  return { ...budget, units: `${normalisationOf(budget.norm)}, pixels in [0, 1]`, meaning: describeBudget(budget) };
}
