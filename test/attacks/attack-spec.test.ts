/** The command-line attack specs: names, budgets in their stated units, options, and refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ATTACK_NAMES, parseAttackSpec, parseAttackSpecs } from '../../main/acsr/attacks/attack-spec.ts';
import { linearClassifier } from '../../main/acsr/attacks/linear-classifier.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';

test('unsuffixed names are L2 with per-pixel-normalised budgets (default 0.04); -linf names are Linf in [0, 1] units', () => {
  assert.deepEqual(parseAttackSpec('fgsm:0.08').budget, { norm: 'l2', epsilon: 0.08 });
  assert.deepEqual(parseAttackSpec('fgsm').budget, { norm: 'l2', epsilon: 0.04 });
  assert.deepEqual(parseAttackSpec('bim').budget, { norm: 'l2', epsilon: 0.04 });
  assert.deepEqual(parseAttackSpec('pgd-linf:8/255').budget, { norm: 'linf', epsilon: 8 / 255 });
  assert.deepEqual(parseAttackSpec('fgsm-linf').budget, { norm: 'linf', epsilon: 8 / 255 });
  assert.equal(parseAttackSpec('deepfool').budget, null);
  assert.equal(parseAttackSpec('cw').budget, null);
});

test('names written in tables round-trip, options included', () => {
  for (const spec of [
    'fgsm:0.04',
    'fgsm-linf:0.03',
    'fgsm-linf:2/255',
    'bim:0.04',
    'bim-linf:0.03:steps=100',
    'pgd:0.04:steps=100',
    'pgd-linf:4/255',
    'pgd-linf:0.03:steps=20:alpha=0.005',
    'deepfool',
    'deepfool:steps=10',
    'cw',
    'cw:steps=1000',
    'cw:steps=50:binary=5:c=0.01:lr=0.05',
  ]) {
    assert.equal(parseAttackSpec(spec).name, spec);
    assert.equal(parseAttackSpec(parseAttackSpec(spec).name).name, spec);
  }
  assert.deepEqual(
    parseAttackSpecs('fgsm:0.04,bim,deepfool,cw').map((attack) => attack.name),
    ['fgsm:0.04', 'bim:0.04', 'deepfool', 'cw'],
  );
  assert.deepEqual([...ATTACK_NAMES].sort(), [
    'bim',
    'bim-dis',
    'bim-linf',
    'cw',
    'cw-dis',
    'deepfool',
    'deepfool-dis',
    'fgsm',
    'fgsm-dis',
    'fgsm-linf',
    'pgd',
    'pgd-dis',
    'pgd-linf',
  ]);
});

test("-dis names take the paper's normalised dissimilarity (default 0.04); deepfool-dis / cw-dis are cutoffs; names round-trip", () => {
  assert.deepEqual(parseAttackSpec('fgsm-dis:0.08').budget, { norm: 'dissimilarity', epsilon: 0.08 });
  assert.deepEqual(parseAttackSpec('bim-dis').budget, { norm: 'dissimilarity', epsilon: 0.04 });
  assert.deepEqual(parseAttackSpec('deepfool-dis').budget, { norm: 'dissimilarity', epsilon: 0.04, cutoff: true });
  assert.deepEqual(parseAttackSpec('cw-dis:0.02').budget, { norm: 'dissimilarity', epsilon: 0.02, cutoff: true });
  assert.deepEqual(
    parseAttackSpecs('fgsm-dis:0.08,fgsm-dis:0.04,bim-dis,deepfool-dis,cw-dis').map((a) => a.name),
    ['fgsm-dis:0.08', 'fgsm-dis:0.04', 'bim-dis:0.04', 'deepfool-dis:0.04', 'cw-dis:0.04'],
  );
  for (const spec of ['bim-dis:0.04:steps=10', 'pgd-dis:0.04:steps=20:alpha=0.005', 'deepfool-dis:0.04:steps=10', 'cw-dis:0.04:steps=50:binary=5']) {
    assert.equal(parseAttackSpec(spec).name, spec);
  }
  assert.equal(parseAttackSpec('bim-dis:0.04:steps=100').name, 'bim-dis:0.04');
  assert.throws(() => parseAttackSpec('deepfool-dis:0'), /not above 0/);
  assert.throws(() => parseAttackSpec('cw-dis:0.04:steps=0'), /steps 0/);
  assert.throws(() => parseAttackSpec('deepfool:0.04'), /deepfool-dis:E/);
});

test('the parsed options reach the attack: pgd steps=3 reports 3 iterations', async () => {
  const classifier = linearClassifier({ weights: [1, -1, -1, 1], bias: [0, 0] });
  const images = { count: 1, height: 1, width: 2, channels: 1 as const, data: Float32Array.from([0.6, 0.4]) };
  const { records } = await parseAttackSpec('pgd-linf:0.01:steps=3').run({ classifier, images, labels: [0] });
  assert.equal(records[0].iterations, 3);
  assert.ok(records[0].linf255 <= 0.01 * 255 + 1e-4);
});

test('bad specs are one UserInputError each, naming the problem', () => {
  const cases: [string, RegExp][] = [
    ['fgsn:0.04', /unknown attack 'fgsn'.*known: fgsm/],
    ['fgsm:abc', /budget 'abc' is not a number/],
    ['fgsm:-0.1', /budget -0.1 outside/],
    ['fgsm-linf:2', /outside \[0, 1\]/],
    ['pgd:0.04:steps=0', /steps 0 is not a positive integer/],
    ['pgd:0.04:steps=2.5', /steps 2.5/],
    ['pgd:0.04:step=10', /unknown option 'step'.*steps, alpha/],
    ['pgd:0.04:0.08', /must be key=value/],
    ['deepfool:0.04', /takes no budget/],
    ['cw:kappa=-1', /confidence -1 is negative/],
    ['fgsm:0.04:steps=3', /unknown option 'steps'.*takes none/],
    ['pgd:steps=3:steps=4', /given twice/],
  ];
  for (const [spec, message] of cases)
    assert.throws(
      () => parseAttackSpec(spec),
      (error: unknown) => error instanceof UserInputError && message.test(error.message),
      spec,
    );
  assert.throws(() => parseAttackSpecs(' , '), UserInputError);
});
