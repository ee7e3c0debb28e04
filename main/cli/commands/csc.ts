import { SPORCO_CBPDN_DEFAULTS } from '../../acsr/signal/cbpdn-options.ts';
import { checkAtomsFit } from '../../acsr/signal/check-atoms-fit.ts';
import { sparseCodeImage } from '../../acsr/signal/sparse-code-image.ts';
import { tikhonovSplit } from '../../acsr/signal/tikhonov.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeNpy } from '../../io/npy.ts';
import { defineCommand } from '../command.ts';
import { assertOutputPath, writeArrayOrPng } from '../inputs/array-outputs.ts';
import { readDictionaryFile, readL1WeightFile, readSignalFile } from '../inputs/sparse-coding-inputs.ts';

export const cscCommand = defineCommand({
  name: 'csc',
  summary: 'convolutional sparse coding (CBPDN, ADMM as SPORCO) of a signal or image with a dictionary',
  description:
    "Solves argmin_x 1/2||sum_m d_m * x_m - s||^2 + lambda ||x||_1 with SPORCO's ConvBPDN defaults " +
    "(relaxation 1.8, AutoRho, relative tolerance 1e-3). The dictionary is SPORCO's (h, w, M) or (h, w, C, M). " +
    "X.npy receives the sparse coefficients Y in SPORCO's layout (H, W, C or 1, 1, M). With --tikhonov the image is " +
    'split first: the high part is coded and the reconstruction adds the low part back, as ACSR purifies.',
  examples: [
    'acsr csc --dict D.npy --in high.npy --lambda 0.1 --out X.npy --recon recon.npy',
    'acsr csc --dict D.npy --in photo.png --tikhonov 5 --lambda 0.1 --out X.npy --recon purified.png',
  ],
  options: {
    dict: { type: 'string', required: true, valueName: 'D.npy', description: 'dictionary, (h, w, M) or (h, w, C, M)' },
    in: { type: 'string', required: true, valueName: 'S.npy|IMG', description: 'signal: (H, W) or (H, W, C) .npy, or an image' },
    lambda: { type: 'number', required: true, min: 0, description: 'l1 weight (ACSR: 0.1 .. 0.2)' },
    iters: { type: 'integer', default: SPORCO_CBPDN_DEFAULTS.maxIterations, min: 1, description: 'maximum ADMM iterations' },
    rho: { type: 'number', greaterThan: 0, description: 'initial ADMM penalty (default 50 lambda + 1)' },
    autoRho: { type: 'boolean', default: true, description: 'residual balancing of rho (--no-auto-rho keeps rho fixed)' },
    relax: { type: 'number', default: SPORCO_CBPDN_DEFAULTS.relaxation, greaterThan: 0, max: 1.999999, description: 'over-relaxation alpha, in (0, 2)' },
    tol: { type: 'number', default: SPORCO_CBPDN_DEFAULTS.relativeTolerance, min: 0, description: 'relative stopping tolerance on both residuals' },
    l1Weight: { type: 'string', valueName: 'W.npy', description: 'l1 weight map: (H, W) per pixel, (M,) per atom, or one value per coefficient' },
    tikhonov: { type: 'number', min: 0, valueName: 'L', description: 'split with this Tikhonov lambda first and code the high part' },
    precision: {
      type: 'string',
      choices: ['float32', 'float64'],
      default: 'float32',
      description: 'float32: fast multi-threaded engine; float64: reference engine',
    },
    threads: { type: 'integer', min: 1, description: 'worker threads of the float32 engine (default: all cores)' },
    out: { type: 'string', required: true, valueName: 'X.npy', description: 'coefficients output' },
    recon: { type: 'string', valueName: 'OUT', description: 'reconstruction output (.npy or .png)' },
  },
  async run({ options, note, print, progress, signal }) {
    if (!/\.npy$/i.test(options.out)) throw new UserInputError(`--out ${options.out}: coefficients are written as .npy`);
    if (options.recon !== undefined) assertOutputPath(options.recon, 'recon');
    const dictionary = await readDictionaryFile(options.dict);
    const input = await readSignalFile(options.in);
    for (const line of input.notes) note(line);
    if (dictionary.channels !== 1 && dictionary.channels !== input.channels) {
      const accepted = input.channels === 1 ? 'a 1-channel dictionary' : `a 1-channel or ${input.channels}-channel dictionary`;
      throw new UserInputError(`${options.dict} has ${dictionary.channels} channels but ${options.in} has ${input.channels}: use ${accepted}`);
    }
    checkAtomsFit(input, dictionary, options.in);
    const l1Weight = options.l1Weight === undefined ? undefined : await readL1WeightFile(options.l1Weight);
    if (l1Weight) {
      const groups = dictionary.channels === 1 ? input.channels : 1;
      const counts = [input.height * input.width, dictionary.atoms, groups * dictionary.atoms * input.height * input.width];
      if (!counts.includes(l1Weight.length)) {
        throw new UserInputError(
          `${options.l1Weight} has ${l1Weight.length} weights: expected ${counts[0]} (one per pixel), ${counts[1]} (one per atom) or ${counts[2]} (one per coefficient)`,
        );
      }
    }
    const split = options.tikhonov === undefined ? undefined : tikhonovSplit(input, options.tikhonov);
    const coded = split ? split.high : input;

    const started = performance.now();
    const result = await sparseCodeImage({
      dictionary,
      image: coded,
      lambda: options.lambda,
      precision: options.precision,
      threads: options.threads,
      l1Weight,
      signal,
      options: {
        maxIterations: options.iters,
        rho: options.rho,
        relaxation: options.relax,
        relativeTolerance: options.tol,
        autoRho: { enabled: options.autoRho },
      },
      onIteration: (stats) =>
        progress.report({
          stage: 'CBPDN',
          fraction: (stats.iteration + 1) / options.iters,
          message: `iteration ${stats.iteration + 1}`,
          metrics: { objective: stats.objective, primalResidual: stats.primalResidual, dualResidual: stats.dualResidual, rho: stats.rho },
        }),
    });
    const seconds = (performance.now() - started) / 1000;

    await writeNpy(options.out, result.coefficients);
    if (options.recon !== undefined) {
      const recon = result.reconstruction;
      if (split) for (let i = 0; i < recon.data.length; i++) recon.data[i] += split.low.data[i];
      await writeArrayOrPng(options.recon, recon);
    }
    let nonZero = 0;
    for (const value of result.coefficients.data) if (value !== 0) nonZero++;
    const last = result.finalStats;
    const summary = {
      dictionary: options.dict,
      input: options.in,
      shape: [input.height, input.width, input.channels],
      atoms: dictionary.atoms,
      dictionaryChannels: dictionary.channels,
      lambda: options.lambda,
      precision: options.precision,
      iterations: result.iterations,
      converged: result.converged,
      objective: last?.objective ?? null,
      primalResidual: last?.primalResidual ?? null,
      dualResidual: last?.dualResidual ?? null,
      rho: result.rho,
      nonZeroFraction: nonZero / result.coefficients.data.length,
      seconds,
      out: options.out,
      recon: options.recon ?? null,
    };
    print(
      `${result.converged ? 'converged' : 'stopped'} after ${result.iterations} iterations in ${seconds.toFixed(2)} s: ` +
        `objective ${summary.objective?.toPrecision(6)}, ${(summary.nonZeroFraction * 100).toFixed(2)}% non-zero -> ${options.out}`,
    );
    return summary;
  },
});
