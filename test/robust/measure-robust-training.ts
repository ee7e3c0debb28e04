/**
 * The stage-ii figures of docs/robust-training.md (not a test: run by hand, minutes). For f_bsl
 * (the stage-i bundle's extractor) and each given f_rob, on the first N Fashion-MNIST t10k images:
 * clean accuracy, accuracy under white-box PGD against that network, and cluster agreement under
 * PGD (robust-evaluation.ts). With --purify M, also end to end on the first M images: PGD against
 * the content filter f_bsl, purification of the attacked image with each bundle (cluster chosen
 * by that bundle's extractor), the purified image classified by f_bsl.
 *
 * With --cw K, CW-L2 (attack library defaults: 9 x 100 Adam steps) on the first K images, white
 * box: accuracy under the budget (an attack needing more than --eps per-pixel L2 counts as failed).
 *
 *   npx node --import tsx test/robust/measure-robust-training.ts --bundle /tmp/fm/bundle \
 *     --robust /tmp/rob/measure/fm-robust-alpha-0,/tmp/rob/measure/fm-robust-alpha-0.1 --images 500 [--purify 100] [--cw 100]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { attackableLayersModel } from '../../main/acsr/attacks/layers-model-classifier.ts';
import { carliniWagnerAttack } from '../../main/acsr/attacks/carlini-wagner.ts';
import { projectedGradientDescent } from '../../main/acsr/attacks/pgd.ts';
import { initTfBackend } from '../../main/acsr/models/tf-backend.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { purifyImage } from '../../main/acsr/purification/purify-image.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { evaluateRobustness } from '../../main/acsr/robust/robust-evaluation.ts';
import type { PgdSettings, RobustNetwork } from '../../main/acsr/robust/robust-training.ts';
import { loadRobustTrainingSet } from '../../main/acsr/robust/robust-training-set.ts';
import { trainablePlan } from '../../main/acsr/robust/trainable-variables.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    robust: { type: 'string', default: '' },
    images: { type: 'string', default: '500' },
    eps: { type: 'string', default: '0.04' },
    steps: { type: 'string', default: '10' },
    seed: { type: 'string', default: '0' },
    purify: { type: 'string', default: '0' },
    cw: { type: 'string', default: '0' },
  },
});
const pgd: PgdSettings = { norm: 'l2', epsilon: Number(values.eps), steps: Number(values.steps) };
const seed = Number(values.seed);
const backend = await initTfBackend();
const stageOneBundle = await loadReferenceBundle(values.bundle!);
const bundles = [
  stageOneBundle,
  ...(await Promise.all(
    values
      .robust!.split(',')
      .filter(Boolean)
      .map((p) => loadReferenceBundle(p)),
  )),
];
const models: TfImageModel[] = [];
for (const bundle of bundles) models.push(await loadTfImageModel(bundle.manifest.extractor.id));
const set = await loadRobustTrainingSet(fashionMnistDir, models[0].entry, Number(values.images), 't10k');
console.log(
  `backend ${backend.choice}; ${set.description}; PGD L2 ${pgd.epsilon} (per-pixel normalised) x ${pgd.steps} steps, step ${pgd.epsilon / 4}, seed ${seed}`,
);

function robustNetwork(model: TfImageModel): RobustNetwork {
  const network = model.network as tf.LayersModel;
  const heads = tf.model({
    inputs: network.inputs,
    outputs: [network.getLayer(model.entry.scores.node).output as tf.SymbolicTensor, network.getLayer(model.entry.latent.node).output as tf.SymbolicTensor],
  });
  return { network, heads, plan: trainablePlan(network, 'all') };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
let stageOneClean: Int32Array | undefined;
const networks = models.map(robustNetwork);
for (const against of ['itself (white box)', 'f_bsl (the content filter; transferred)']) {
  console.log(`\nPGD made against ${against}`);
  console.log(
    '| extractor | bundle | clean acc. | PGD acc. | cluster agreement under PGD (vs f_bsl clean) | class-level agreement | own clean choice | mean attacked MD | clean image picks own class |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [i, model] of models.entries()) {
    const started = performance.now();
    const f = await evaluateRobustness({
      net: networks[i],
      set,
      classNames: model.classNames,
      clusters: stageOneBundle.clusters,
      pgd,
      seed,
      stageOneCleanCluster: stageOneClean,
      ...(against.startsWith('f_bsl') ? { attackAgainst: networks[0].network } : {}),
    });
    stageOneClean ??= f.cleanCluster;
    console.log(
      `| ${model.identity.id} | ${bundles[i].path} | ${pct(f.cleanAccuracy)} | ${pct(f.pgdAccuracy)} | ${pct(f.clusterAgreement)} | ${pct(f.classAgreement)} | ${pct(f.selfClusterAgreement)} | ${f.meanAttackedDistance.toFixed(2)} | ${pct(f.cleanClassConsistency)} |`,
    );
    console.error(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
}

const cwCount = Number(values.cw);
if (cwCount > 0) {
  console.log(`\nCW-L2 (9 x 100 Adam steps), white box, first ${cwCount} images; budget ${pgd.epsilon} per-pixel L2`);
  console.log('| extractor | CW acc. within budget | CW success rate (any norm) | median per-pixel L2 of successes |');
  console.log('|---|---|---|---|');
  const images = { count: cwCount, height: set.height, width: set.width, channels: set.channels, data: set.pixels.slice(0, cwCount * set.height * set.width) };
  const labels = set.labels.slice(0, cwCount);
  for (const [i, model] of models.entries()) {
    const started = performance.now();
    const classifier = attackableLayersModel(networks[i].network);
    const cleanScores = await classifier.scores(images);
    const { records } = await carliniWagnerAttack().run({ classifier, images, labels, seed });
    let withinBudgetCorrect = 0;
    const norms: number[] = [];
    records.forEach((r, n) => {
      const row = Array.from(cleanScores.subarray(n * 10, (n + 1) * 10));
      const cleanCorrect = row.indexOf(Math.max(...row)) === labels[n];
      if (r.success) norms.push(r.l2PerPixel);
      if (cleanCorrect && !(r.success && r.l2PerPixel <= pgd.epsilon)) withinBudgetCorrect++;
    });
    norms.sort((a, b) => a - b);
    console.log(
      `| ${model.identity.id} | ${pct(withinBudgetCorrect / cwCount)} | ${pct(norms.length / cwCount)} | ${norms.length ? norms[Math.floor(norms.length / 2)].toFixed(4) : '-'} |`,
    );
    console.error(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
}

const purifyCount = Number(values.purify);
if (purifyCount > 0) {
  // PGD against the content filter f_bsl, as an attacker of the filter would; the purifier then works on x'
  const filter = models[0];
  const images = {
    count: purifyCount,
    height: set.height,
    width: set.width,
    channels: set.channels,
    data: set.pixels.slice(0, purifyCount * set.height * set.width),
  };
  const labels = set.labels.slice(0, purifyCount);
  const { adversarial } = await projectedGradientDescent('l2', pgd, {
    classifier: attackableLayersModel(filter.network as tf.LayersModel),
    images,
    labels,
    seed,
  });
  const size = set.height * set.width;
  const raster = (data: Float32Array, n: number) => ({
    height: set.height,
    width: set.width,
    channels: 1 as const,
    data: data.slice(n * size, (n + 1) * size),
  });
  const classify = async (rasters: { height: number; width: number; channels: 1; data: Float32Array }[]) =>
    (await filter.scores(rasters)).map((row) => row.indexOf(Math.max(...row)));
  const noDefense = await classify(Array.from({ length: purifyCount }, (_, n) => raster(adversarial.data, n)));
  console.log(
    `\nend to end on the first ${purifyCount} images, PGD against f_bsl: no defense ${pct(noDefense.filter((p, n) => p === labels[n]).length / purifyCount)}`,
  );
  console.log('| bundle (cluster chosen by) | purified clean acc. | purified PGD acc. | s per image |');
  console.log('|---|---|---|---|');
  for (const [i, bundle] of bundles.entries()) {
    const started = performance.now();
    const accuracy = async (data: Float32Array) => {
      const purified = [];
      for (let n = 0; n < purifyCount; n++) {
        const result = await purifyImage({ image: raster(data, n), bundle, extractor: models[i] });
        purified.push({ height: set.height, width: set.width, channels: 1 as const, data: Float32Array.from(result.purified.data) });
      }
      const predicted = await classify(purified);
      return predicted.filter((p, n) => p === labels[n]).length / purifyCount;
    };
    const clean = await accuracy(images.data);
    const attacked = await accuracy(adversarial.data);
    console.log(
      `| ${bundle.path} (${models[i].identity.id}) | ${pct(clean)} | ${pct(attacked)} | ${((performance.now() - started) / 1000 / (2 * purifyCount)).toFixed(2)} |`,
    );
  }
}
for (const model of models) model.dispose();
