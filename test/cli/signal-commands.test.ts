// The sparse-coding commands as a user runs them: real photos in, files out, errors as one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readImage } from '../../main/io/image.ts';
import { createNdArray } from '../../main/io/ndarray.ts';
import { readNpy, writeNpy } from '../../main/io/npy.ts';
import { photosDir } from '../support/shared-data.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, summary: JSON.parse(lastLine) };
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return 10 * Math.log10(1 / (sum / a.length));
}

describe('acsr tikhonov, learn-dictionary, csc on real photos', () => {
  let dir = '';
  const file = (name: string) => path.join(dir, name);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'acsr-signal-'));
    // 96x96 crops keep the solves short while staying real photographs
    await sharp(path.join(photosDir, 'skimage-astronaut.png')).extract({ left: 160, top: 60, width: 96, height: 96 }).png().toFile(file('face.png'));
    await writeNpy(file('five-channel-dictionary.npy'), createNdArray([8, 8, 5, 4], new Float64Array(8 * 8 * 5 * 4).fill(0.1)));
    await sharp(path.join(photosDir, 'skimage-coffee.png')).extract({ left: 200, top: 150, width: 96, height: 96 }).png().toFile(file('coffee.png'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tikhonov: low + high is the image exactly, and the high part is the small, zero-mean detail', async () => {
    const result = acsr(['tikhonov', '--in', file('face.png'), '--lambda', '5', '--low', file('low.npy'), '--high', file('high.npy')]);
    assert.equal(result.code, 0, result.stderr);
    const image = await readImage(file('face.png'));
    const low = await readNpy(file('low.npy'));
    const high = await readNpy(file('high.npy'));
    assert.deepEqual(low.shape, [96, 96, 3]);
    let maxError = 0;
    let highMean = 0;
    for (let i = 0; i < image.data.length; i++) {
      maxError = Math.max(maxError, Math.abs(low.data[i] + high.data[i] - image.data[i]));
      highMean += high.data[i] / image.data.length;
    }
    assert.ok(maxError < 1e-12, `low + high differs from the image by ${maxError}`);
    assert.ok(Math.abs(highMean) < 0.01, `high part mean ${highMean}`);
    assert.ok(result.summary.highRms > 0.005 && result.summary.highRms < 0.2, `high rms ${result.summary.highRms}`);
    const png = acsr(['tikhonov', '--in', file('face.png'), '--lambda', '5', '--low', file('low.png'), '--high', file('high.png')]);
    assert.equal(png.code, 0, png.stderr);
    const shownHigh = await readImage(file('high.png'));
    assert.equal(shownHigh.channels, 3);
  });

  it('learn-dictionary (batch and online) writes unit-norm atoms in SPORCO layout and lowers the objective', () => {
    const batch = acsr([
      'learn-dictionary',
      '--in',
      file('face.png'),
      file('coffee.png'),
      '--atoms',
      '8',
      '--size',
      '8',
      '--channels',
      '3',
      '--iters',
      '15',
      '--crop',
      '64',
      '--out',
      file('D.npy'),
    ]);
    assert.equal(batch.code, 0, batch.stderr);
    assert.ok(batch.summary.finalObjective < batch.summary.firstObjective, `objective ${batch.summary.firstObjective} -> ${batch.summary.finalObjective}`);
    const online = acsr([
      'learn-dictionary',
      '--in',
      file('face.png'),
      file('coffee.png'),
      '--atoms',
      '8',
      '--channels',
      '1',
      '--online',
      '--iters',
      '2',
      '--crop',
      '48',
      '--out',
      file('D1.npy'),
    ]);
    assert.equal(online.code, 0, online.stderr);
    assert.equal(online.summary.method, 'online');
    return Promise.all([readNpy(file('D.npy')), readNpy(file('D1.npy'))]).then(([d3, d1]) => {
      assert.deepEqual(d3.shape, [8, 8, 3, 8]);
      assert.deepEqual(d1.shape, [8, 8, 8]);
      for (const [d, channels] of [
        [d3, 3],
        [d1, 1],
      ] as const) {
        for (let m = 0; m < 8; m++) {
          let norm = 0;
          for (let p = 0; p < 64 * channels; p++) norm += d.data[p * 8 + m] ** 2;
          assert.ok(Math.abs(Math.sqrt(norm) - 1) < 1e-5, `atom ${m} has norm ${Math.sqrt(norm)}`);
        }
      }
    });
  });

  it('csc with --tikhonov purifies like ACSR: low + D*X is close to the clean photo; float32 and float64 agree', async () => {
    const fast = acsr([
      'csc',
      '--dict',
      file('D.npy'),
      '--in',
      file('face.png'),
      '--tikhonov',
      '5',
      '--lambda',
      '0.1',
      '--out',
      file('X.npy'),
      '--recon',
      file('recon.npy'),
    ]);
    assert.equal(fast.code, 0, fast.stderr);
    assert.equal(fast.summary.converged, true);
    const x = await readNpy(file('X.npy'));
    assert.deepEqual(x.shape, [96, 96, 1, 1, 8]);
    assert.ok(fast.summary.nonZeroFraction > 0 && fast.summary.nonZeroFraction < 0.5, `non-zero fraction ${fast.summary.nonZeroFraction}`);
    const image = await readImage(file('face.png'));
    const recon = await readNpy(file('recon.npy'));
    const quality = psnr(recon.data, image.data);
    assert.ok(quality > 30, `PSNR of the reconstruction ${quality.toFixed(1)} dB`);
    const exact = acsr([
      'csc',
      '--dict',
      file('D.npy'),
      '--in',
      file('face.png'),
      '--tikhonov',
      '5',
      '--lambda',
      '0.1',
      '--out',
      file('X64.npy'),
      '--precision',
      'float64',
    ]);
    assert.equal(exact.code, 0, exact.stderr);
    assert.equal(exact.summary.iterations, fast.summary.iterations);
    assert.ok(
      Math.abs(exact.summary.objective - fast.summary.objective) / exact.summary.objective < 1e-4,
      `objectives ${exact.summary.objective} vs ${fast.summary.objective}`,
    );
  });

  it('csc with an l1 weight map: weighting some atoms out leaves their coefficients zero', async () => {
    const weights = new Float64Array(8).fill(1);
    weights[0] = weights[1] = 1000;
    await writeNpy(file('weights.npy'), createNdArray([8], weights));
    const weighted = acsr([
      'csc',
      '--dict',
      file('D.npy'),
      '--in',
      file('face.png'),
      '--tikhonov',
      '5',
      '--lambda',
      '0.1',
      '--l1-weight',
      file('weights.npy'),
      '--out',
      file('Xw.npy'),
    ]);
    assert.equal(weighted.code, 0, weighted.stderr);
    const x = await readNpy(file('Xw.npy'));
    let suppressed = 0;
    let others = 0;
    for (let i = 0; i < x.data.length; i++) {
      if (x.data[i] === 0) continue;
      if (i % 8 < 2) suppressed++;
      else others++;
    }
    assert.equal(suppressed, 0, 'atoms 0 and 1 carry a weight of 1000: no coefficient survives');
    assert.ok(others > 0);
    const wrongCount = acsr([
      'csc',
      '--dict',
      file('D.npy'),
      '--in',
      file('face.png'),
      '--lambda',
      '0.1',
      '--l1-weight',
      file('five-channel-dictionary.npy'),
      '--out',
      file('Xbad.npy'),
    ]);
    assert.equal(wrongCount.code, 2);
    assert.match(wrongCount.stderr, /has 1280 weights: expected 9216 \(one per pixel\), 8 \(one per atom\)/);
  });

  it('refuses bad input with one error line and leaves no output file', async () => {
    const nan = new Float64Array(16 * 16);
    nan[37] = Number.NaN;
    await writeNpy(file('nan.npy'), createNdArray([16, 16], nan));
    writeFileSync(file('not-an-image.png'), 'this is text, not a PNG');
    await sharp(file('face.png')).extract({ left: 40, top: 40, width: 6, height: 6 }).png().toFile(file('tiny.png'));
    const cases: [string[], RegExp][] = [
      [['csc', '--dict', file('D.npy'), '--in', file('missing.png'), '--lambda', '0.1', '--out', file('out.npy')], /missing\.png: file not found/],
      [['csc', '--dict', file('D.npy'), '--in', file('nan.npy'), '--lambda', '0.1', '--out', file('out.npy')], /nan\.npy holds NaN at flat index 37/],
      [
        ['csc', '--dict', file('D.npy'), '--in', file('not-an-image.png'), '--lambda', '0.1', '--out', file('out.npy')],
        /not-an-image\.png: not a recognised image file/,
      ],
      [['csc', '--dict', file('face.png'), '--in', file('face.png'), '--lambda', '0.1', '--out', file('out.npy')], /face\.png: not a valid \.npy file/],
      [
        ['csc', '--dict', file('five-channel-dictionary.npy'), '--in', file('face.png'), '--lambda', '0.1', '--out', file('out.npy')],
        /dictionary has 5 channels, expected 1 or 3/,
      ],
      [['csc', '--dict', file('D.npy'), '--in', file('nan.npy'), '--lambda', '-0.1', '--out', file('out.npy')], /--lambda must be >= 0/],
      [
        ['csc', '--dict', file('D.npy'), '--in', file('tiny.png'), '--lambda', '0.1', '--out', file('out.npy')],
        /tiny\.png \(6x6\) is smaller than the dictionary's atoms \(8 px\)/,
      ],
      [['csc', '--dict', file('D.npy'), '--in', file('face.png'), '--lambda', '0.1', '--out', file('out.png')], /coefficients are written as \.npy/],
      [['tikhonov', '--in', file('face.png'), '--lambda', '5', '--low', file('low.jpg'), '--high', file('h.npy')], /must end in \.npy .* or \.png/],
    ];
    for (const [args, message] of cases) {
      const before = new Set(readdirSync(dir));
      const result = acsr(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.summary.ok, false);
      assert.deepEqual(
        readdirSync(dir).filter((name) => !before.has(name)),
        [],
        'no new file',
      );
    }
    assert.equal(existsSync(file('out.npy')), false);
  });

  it('bench csc reports iteration time, FLOP rate and the FFT bound', () => {
    const result = acsr(['bench', 'csc', '--size', '64', '--channels', '3', '--dict-channels', '1', '--atoms', '8', '--iters', '5']);
    assert.equal(result.code, 0, result.stderr);
    const s = result.summary;
    assert.equal(s.fftsPerIteration, 2 * 3 * 8);
    assert.ok(s.msPerIterationMedian > 0 && s.fftBoundMs > 0 && s.sustainedFftGflops > 0, JSON.stringify(s));
    assert.ok(s.msPerIterationMedian >= s.fftBoundMs * 0.5, 'an iteration cannot be much faster than its FFTs alone');
    assert.equal(s.speedupOverSporco, null, 'the SPORCO figure only applies to 256x256x3 with 64 atoms');
  });

  it("bench purify times the settings acsr purify would use: the default bundle's tuned values", () => {
    const manifest = JSON.parse(readFileSync(path.join(repositoryRoot, 'models', 'default-bundle', 'manifest.json'), 'utf8')) as {
      purificationDefaults: { tikhonovLambda: number; cscLambda: number; maxIterations: number };
    };
    const tuned = manifest.purificationDefaults;
    const result = acsr(['bench', 'purify', '--sizes', '40x32', '--runs', '1', '--batch', '0']);
    assert.equal(result.code, 0, result.stderr);
    const s = result.summary;
    assert.deepEqual([s.maxIterations, s.tikhonovLambda, s.cscLambda], [tuned.maxIterations, tuned.tikhonovLambda, tuned.cscLambda]);
    assert.ok(s.sizes[0].single.iterations <= tuned.maxIterations, JSON.stringify(s.sizes[0].single));
    assert.deepEqual([s.sizes[0].width, s.sizes[0].height], [40, 32]);
  });
});
