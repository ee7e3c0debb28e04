/** The machine-readable report: the report model exactly, indented, UTF-8, one final newline. */
import type { CaseReport } from './report-model.ts';

export function renderJson(report: CaseReport): Buffer {
  return Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8');
}
