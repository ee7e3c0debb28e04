import type { ImageArray } from '../../acsr/array/image-array.ts';
import { benchmarkCbpdn } from '../../acsr/signal/cbpdn-benchmark.ts';
import { cropImage } from '../../acsr/array/image-array.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { readImage } from '../../io/image.ts';
import { availableParallelism } from 'node:os';
import { defineCommand, defineCommandGroup } from '../command.ts';
import { benchPurifyCommand } from './bench-purify.ts';
import { SPORCO_RECORDED_MS_PER_ITERATION_256_RGB, SPORCO_RECORDED_SOURCE } from '../../acsr/signal/sporco-recorded.ts';

export const benchCscCommand = defineCommand({
  name: 'csc',
  summary: 'time CBPDN iterations and compare them with the FFT-only bound',
  description:
    'Runs --iters ADMM iterations (tolerance 0, so all run) on the high part of a --size x --size crop of --in ' +
    '(default: seeded noise) with a seeded random 8x8 dictionary, and reports the median time per iteration, the FLOP ' +
    "rate of its FFTs (2.5 N log2 N per real transform) and the FFT-only bound at this machine's measured FFT throughput.",
  options: {
    size: { type: 'integer', default: 256, min: 8, description: 'image height and width' },
    channels: { type: 'integer', choices: [1, 3], default: 3, description: 'image channels' },
    dictChannels: { type: 'integer', choices: [1, 3], default: 3, description: 'dictionary channels (1: shared over the image channels)' },
    atoms: { type: 'integer', default: 64, min: 1, description: 'atoms M' },
    iters: { type: 'integer', default: 20, min: 3, description: 'ADMM iterations to time' },
    lambda: { type: 'number', default: 0.1, min: 0, description: 'l1 weight' },
    precision: { type: 'string', choices: ['float32', 'float64'], default: 'float32', description: 'engine' },
    threads: { type: 'integer', min: 1, description: 'worker threads (default: all cores)' },
    in: { type: 'string', valueName: 'IMG', description: 'image to crop the problem from (default: seeded noise)' },
    sporcoMs: {
      type: 'number',
      min: 0,
      description: 'SPORCO ms per iteration measured on this machine for the same problem (default: the recorded constant, at 256x256x3, 64 atoms)',
    },
  },
  async run({ options, print, progress, signal }) {
    if (options.dictChannels === 3 && options.channels === 1) throw new UserInputError('a 3-channel dictionary needs --channels 3');
    let image: ImageArray<Float64Array> | undefined;
    if (options.in !== undefined) {
      const decoded = await readImage(options.in, { channels: options.channels === 1 ? 'gray' : 'rgb', precision: 'float64' });
      if (decoded.height < options.size || decoded.width < options.size) {
        throw new UserInputError(`${options.in} is ${decoded.height}x${decoded.width}, smaller than --size ${options.size}`);
      }
      image = cropImage(
        decoded as ImageArray<Float64Array>,
        (decoded.height - options.size) >> 1,
        (decoded.width - options.size) >> 1,
        options.size,
        options.size,
      );
    }
    const threads = options.threads ?? availableParallelism();
    const result = await benchmarkCbpdn({
      size: options.size,
      channels: options.channels,
      dictChannels: options.dictChannels,
      atoms: options.atoms,
      iterations: options.iters,
      lambda: options.lambda,
      precision: options.precision,
      threads,
      image,
      signal,
      onIteration: (done) => progress.report({ stage: 'iterations', fraction: done / options.iters }),
    });
    const comparable = options.size === 256 && options.channels === 3 && options.atoms === 64;
    const recorded = comparable
      ? options.dictChannels === 3
        ? SPORCO_RECORDED_MS_PER_ITERATION_256_RGB.multiChannelDictionary
        : SPORCO_RECORDED_MS_PER_ITERATION_256_RGB.sharedDictionary
      : null;
    const sporcoMs = options.sporcoMs ?? recorded;
    const sporcoSource = options.sporcoMs !== undefined ? 'measured on this machine (--sporco-ms)' : recorded !== null ? SPORCO_RECORDED_SOURCE : null;
    const summary = {
      ...result,
      sporcoMsPerIteration: sporcoMs,
      sporcoSource,
      speedupOverSporco: sporcoMs === null ? null : sporcoMs / result.msPerIterationMedian,
    };
    print(
      `${options.size}x${options.size}x${options.channels}, dictionary 8x8x${options.dictChannels}x${options.atoms}, ${result.precision}, ${result.threads} thread(s): ` +
        `${result.msPerIterationMedian.toFixed(1)} ms/iteration (median of ${options.iters - 1}; min ${result.msPerIterationMin.toFixed(1)})`,
    );
    print(
      `FFTs: ${result.fftsPerIteration} per iteration, ${result.fftGflopPerIteration.toFixed(3)} GFLOP, sustained ${result.sustainedFftGflops.toFixed(2)} GFLOP/s; ` +
        `FFT-only bound ${result.fftBoundMs.toFixed(1)} ms at ${result.fftGflopsPerThread.toFixed(2)} GFLOP/s per thread (iteration = ${result.ratioToFftBound.toFixed(2)}x the bound)`,
    );
    print(
      `CPU time (all threads; steadier on a shared machine): ${result.cpuMsPerIterationMedian.toFixed(1)} ms/iteration, ` +
        `its FFTs alone ${result.fftCpuMsPerIteration.toFixed(1)} ms (iteration = ${result.cpuRatioToFftBound.toFixed(2)}x the FFT work)`,
    );
    if (sporcoMs !== null) print(`SPORCO: ${sporcoMs} ms/iteration, ${sporcoSource} -> ${summary.speedupOverSporco!.toFixed(2)}x faster`);
    return summary;
  },
});

export const benchCommandGroup = defineCommandGroup({
  name: 'bench',
  summary: 'performance measurements',
  subcommands: [benchCscCommand, benchPurifyCommand],
});
