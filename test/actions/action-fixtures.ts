/**
 * What the action tests share: the `acsr` command run in this process (its real dispatcher,
 * options and printing) and the same action run as a job (the real job runner, a worker thread
 * per job), so that a test can compare what each path recorded.
 */
import type { ActionParameters } from '../../main/actions/define-action.ts';
import { PRODUCT_ACTION_MODULES, type ProductActions } from '../../main/actions/product-actions.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import type { JobOutput, JobSnapshot } from '../../main/ipc/contract/index.ts';
import { JobRunner } from '../../main/jobs/job-runner.ts';
// Keeps the tests' signing keys out of the examiner's real configuration folder.
import '../case/case-fixtures.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The --json summary. */
  summary: Record<string, unknown>;
}

/** `acsr <argv> --json --quiet` in this process. */
export async function acsrInProcess(argv: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--json', '--quiet'], {
    env: {},
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false, columns: 80 },
  });
  const lastLine = stdout.trimEnd().split('\n').at(-1) ?? '{}';
  return { code, stdout, stderr, summary: JSON.parse(lastLine) as Record<string, unknown> };
}

/** The action as the workstation runs it: submitted to a job runner, in a worker thread; the finished job's snapshot and outputs. */
export async function runAsJob<K extends keyof ProductActions>(
  action: K,
  parameters: ActionParameters<ProductActions[K]>,
): Promise<JobSnapshot & { outputs: JobOutput[] }> {
  const runner = new JobRunner(PRODUCT_ACTION_MODULES);
  const outputs: JobOutput[] = [];
  runner.onOutput((event) => outputs.push(event.output));
  try {
    runner.submit(action, parameters, { label: `${action} test`, caseId: null });
    await runner.whenIdle();
    const [job] = runner.list();
    return { ...job, outputs };
  } finally {
    await runner.close();
  }
}

/** A record without the fields that differ between two runs of the same work (times, ids of the moment). */
export function withoutMoment<T extends object>(record: T, fields: readonly string[] = []): Partial<T> {
  const moment = new Set(['createdAt', 'updatedAt', 'finishedAt', 'importedAt', 'timingsMs', 'ownerPid', 'ownerHost', ...fields]);
  return Object.fromEntries(Object.entries(record).filter(([key]) => !moment.has(key))) as Partial<T>;
}

/** A copy of a JSON value without its timings (keys such as defenseSeconds, secondsPerImage, timingsMs), at any depth. */
export function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !/[sS]econds|Ms$/.test(key))
      .map(([key, inner]) => [key, withoutTimings(inner)]),
  );
}
