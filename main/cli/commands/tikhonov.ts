import { DEFAULT_TIKHONOV_PADDING, tikhonovSplit } from '../../acsr/signal/tikhonov.ts';
import { defineCommand } from '../command.ts';
import { assertOutputPath, writeArrayOrPng } from '../inputs/array-outputs.ts';
import { readSignalFile } from '../inputs/sparse-coding-inputs.ts';

/** Stage iii, step 1 on its own: the low/high split an investigator can look at. */
export const tikhonovCommand = defineCommand({
  name: 'tikhonov',
  summary: 'split an image into its low- and high-frequency parts (Tikhonov filter, as SPORCO)',
  description:
    'x_low = argmin 1/2||z - x||^2 + lambda/2 sum_j ||G_j z||^2 with symmetric padding, x_high = x - x_low. ' +
    'Outputs ending in .npy hold exact float64 values; .png outputs are 8-bit pictures, the high part shown around mid-grey (+0.5).',
  examples: ['acsr tikhonov --in photo.jpg --lambda 5 --low low.png --high high.npy'],
  options: {
    in: { type: 'string', required: true, valueName: 'IMG|S.npy', description: 'image file, or an (H, W) / (H, W, C) .npy array' },
    lambda: { type: 'number', required: true, min: 0, description: 'regularisation weight (typical: 5)' },
    pad: { type: 'integer', default: DEFAULT_TIKHONOV_PADDING, min: 0, description: 'symmetric padding in pixels' },
    low: { type: 'string', required: true, valueName: 'OUT', description: 'low-frequency output (.npy or .png)' },
    high: { type: 'string', required: true, valueName: 'OUT', description: 'high-frequency output (.npy or .png)' },
  },
  async run({ options, note, print }) {
    assertOutputPath(options.low, 'low');
    assertOutputPath(options.high, 'high');
    const signal = await readSignalFile(options.in);
    for (const line of signal.notes) note(line);
    const { low, high } = tikhonovSplit(signal, options.lambda, options.pad);
    await writeArrayOrPng(options.low, low);
    await writeArrayOrPng(options.high, high, { offset: 0.5 });
    let highEnergy = 0;
    for (const value of high.data) highEnergy += value * value;
    const summary = {
      input: options.in,
      height: signal.height,
      width: signal.width,
      channels: signal.channels,
      lambda: options.lambda,
      pad: options.pad,
      low: options.low,
      high: options.high,
      highRms: Math.sqrt(highEnergy / high.data.length),
    };
    print(
      `${options.in}: ${signal.height}x${signal.width}x${signal.channels}, lambda ${options.lambda}: low -> ${options.low}, high -> ${options.high} (rms ${summary.highRms.toFixed(4)})`,
    );
    return summary;
  },
});
