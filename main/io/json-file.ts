/** JSON output shared by result files and the CLI's `--json` summary line. */
import { writeFileAtomic } from './atomic-write.ts';

/**
 * Typed arrays become plain arrays (JSON.stringify would otherwise write {"0": ...}), and
 * non-finite numbers become null explicitly so that a NaN residual is visible as "no value".
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (element) => (typeof element === 'bigint' ? Number(element) : element));
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, jsonReplacer, 2) + '\n');
}
