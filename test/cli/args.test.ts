import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, type OptionSpecs } from '../../main/cli/args.ts';
import { UsageError } from '../../main/cli/errors.ts';

// The option declarations the planned signal commands will use: the parser must fit them.
const cscOptions = {
  dict: { type: 'string', required: true, valueName: 'D.npy', description: 'dictionary' },
  in: { type: 'string', required: true, valueName: 'S.npy|IMG', description: 'signal' },
  lambda: { type: 'number', required: true, min: 0, description: 'sparsity weight' },
  iters: { type: 'integer', default: 100, min: 1, description: 'ADMM iterations' },
  rho: { type: 'number', greaterThan: 0, description: 'ADMM penalty' },
  autoRho: { type: 'boolean', default: true, description: 'adapt rho' },
  relax: { type: 'number', default: 1.8, greaterThan: 0, max: 2, description: 'over-relaxation' },
  tol: { type: 'number', default: 1e-3, min: 0, description: 'stopping tolerance' },
  out: { type: 'string', required: true, description: 'coefficients' },
  recon: { type: 'string', description: 'reconstruction' },
} as const satisfies OptionSpecs;

const learnOptions = {
  in: { type: 'string', required: true, multiple: true, description: 'images or directories' },
  atoms: { type: 'integer', required: true, min: 1, description: 'number of atoms' },
  size: { type: 'integer', default: 8, min: 1, description: 'atom size' },
  channels: { type: 'integer', choices: [1, 3], description: 'channels' },
  online: { type: 'boolean', description: 'online learning' },
  out: { type: 'string', required: true, description: 'dictionary' },
} as const satisfies OptionSpecs;

function usageErrorMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected UsageError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a UsageError');
}

describe('parseOptions', () => {
  it('parses the csc command line with defaults, negated switches and types', () => {
    const parsed = parseOptions(cscOptions, ['--dict', 'D.npy', '--in', 's.png', '--lambda', '0.05', '--no-auto-rho', '--out=x.npy']);
    assert.deepEqual(parsed, {
      dict: 'D.npy',
      in: 's.png',
      lambda: 0.05,
      iters: 100,
      autoRho: false,
      relax: 1.8,
      tol: 1e-3,
      out: 'x.npy',
    });
    // Types follow the declaration: required/defaulted values are plain, others optional.
    const iters: number = parsed.iters;
    const rho: number | undefined = parsed.rho;
    const autoRho: boolean = parsed.autoRho;
    assert.equal(iters + (rho ?? 0) + Number(autoRho), 100);
  });

  it('takes repeated values both as --in a --in b and as --in a b c, and validates choices', () => {
    const parsed = parseOptions(learnOptions, ['--in', 'a.png', 'b.png', '--atoms', '64', '--in', 'dir', '--channels', '3', '--online', '--out', 'D.npy']);
    assert.deepEqual(parsed.in, ['a.png', 'b.png', 'dir']);
    assert.equal(parsed.channels, 3);
    assert.equal(parsed.online, true);
    assert.equal(parsed.size, 8);
    assert.match(
      usageErrorMessage(() => parseOptions(learnOptions, ['--in', 'a', '--atoms', '4', '--out', 'o', '--channels', '2'])),
      /--channels must be one of 1, 3; got 2/,
    );
  });

  it('rejects NaN, non-numbers, fractions for integers and values out of range', () => {
    const base = ['--dict', 'D', '--in', 'S', '--out', 'X'];
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, [...base, '--lambda', 'NaN'])),
      /--lambda must be a number; got 'NaN'/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, [...base, '--lambda', 'abc'])),
      /--lambda must be a number/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, [...base, '--lambda', 'Infinity'])),
      /must be a number/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, [...base, '--lambda', '-1'])),
      /--lambda must be >= 0; got -1/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, [...base, '--lambda', '1', '--iters', '2.5'])),
      /--iters must be an integer/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, [...base, '--lambda', '1', '--rho', '0'])),
      /--rho must be > 0; got 0/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, [...base, '--lambda', '1', '--relax', '2.5'])),
      /--relax must be <= 2/,
    );
    assert.equal(parseOptions(cscOptions, [...base, '--lambda', '1e-2']).lambda, 0.01);
  });

  it('reports missing, repeated, unknown and valueless options specifically', () => {
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['--dict', 'D', '--in', 'S', '--out', 'X'])),
      /--lambda is required/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['--dict', 'D', '--in', 'S', '--out', 'X', '--lambda', '1', '--lambda', '2'])),
      /--lambda given 2 times/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['--lamda', '1'])),
      /unknown option --lamda; did you mean --lambda\?/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['--dict'])),
      /--dict needs a value/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['--dict', '--in', 'x'])),
      /--dict needs a value/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['stray'])),
      /unexpected argument 'stray'/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['-x'])),
      /unknown option '-x'/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(cscOptions, ['--no-auto-rho=1'])),
      /takes no value/,
    );
    assert.match(
      usageErrorMessage(() => parseOptions(learnOptions, ['--online=maybe'])),
      /is a switch/,
    );
  });

  it('reads negative numbers as values and honours --', () => {
    const specs = { shift: { type: 'number', description: 'shift' } } as const satisfies OptionSpecs;
    assert.equal(parseOptions(specs, ['--shift', '-0.5']).shift, -0.5);
    assert.deepEqual(parseOptions(specs, ['--']), {});
  });
});
