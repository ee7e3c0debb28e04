import { availableParallelism, cpus, totalmem } from 'node:os';
import { defineCommand } from '../command.ts';
import { productVersion } from '../../version.ts';
import { typeScriptRunner } from '../../workers/spawn-worker.ts';

/** What a bug report needs: which build, on which runtime and hardware. */
export const infoCommand = defineCommand({
  name: 'info',
  summary: 'print version, runtime and platform information',
  options: {},
  async run({ print }) {
    // Loaded here, not at the top, so that `acsr --help` does not pay for starting libvips.
    const { default: sharp } = await import('sharp');
    const summary = {
      version: productVersion,
      node: process.version,
      typescript: typeScriptRunner(),
      platform: process.platform,
      arch: process.arch,
      cpuCount: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      totalMemoryBytes: totalmem(),
      sharp: sharp.versions.sharp,
      libvips: sharp.versions.vips,
    };
    print(`acsr ${summary.version}`);
    print(`node      ${summary.node} (TypeScript run by ${summary.typescript === 'node' ? 'Node' : 'tsx'})`);
    print(`platform  ${summary.platform} ${summary.arch}`);
    print(`cpus      ${summary.cpuCount} (${summary.cpuModel})`);
    print(`memory    ${(summary.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB`);
    print(`sharp     ${summary.sharp} (libvips ${summary.libvips})`);
    return summary;
  },
});
