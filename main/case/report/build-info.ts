/**
 * Which program, at which commit, on which system made a report: a reviewer who wants to
 * reproduce a result needs the exact build, and numbers can differ between platforms.
 */
import { execFileSync } from 'node:child_process';
import { arch, hostname, platform, release, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { productVersion } from '../../version.ts';
import type { CaseReport } from './report-model.ts';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function toolInfo(): CaseReport['tool'] {
  const commit = git(['rev-parse', 'HEAD']);
  // A commit alone does not describe a build from a working tree with uncommitted changes.
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  return {
    name: 'acsr',
    version: productVersion,
    gitCommit: commit !== null && /^[0-9a-f]{40,64}$/.test(commit) ? commit : 'unknown',
    gitWorkingTreeModified: status === null ? null : status.length > 0,
  };
}

export function environmentInfo(sqliteVersion: string): CaseReport['environment'] {
  return {
    os: `${type()} ${release()} (${platform()}, ${arch()})`,
    node: process.version,
    electron: process.versions.electron ?? 'not running in Electron',
    sqlite: sqliteVersion,
    host: hostname(),
  };
}

/** stdout trimmed, or null where git or the repository is absent (an installed app). */
function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPOSITORY_ROOT, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
