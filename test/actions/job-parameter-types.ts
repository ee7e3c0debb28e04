/**
 * Checked by `npm run typecheck`, never run: a job's parameters are typed by its action's schema
 * end to end. Each line below must stay a type error; if the runner's typing loosened (back to a
 * record of anything), the unused @ts-expect-error would fail the type-check.
 */
import { JobRunner } from '../../main/jobs/job-runner.ts';

export function submitsThatDoNotTypeCheck(runner: JobRunner): void {
  const job = { label: 'x', caseId: null };
  // @ts-expect-error the verify action needs an examiner
  runner.submit('verify', { caseFolder: '/case' }, job);
  // @ts-expect-error a new purification names its bundle
  runner.submit('purify', { caseFolder: '/case', examiner: 'a', work: { kind: 'new', items: [1], classifierId: null, override: null } }, job);
  // @ts-expect-error import sources are paths
  runner.submit('import', { caseFolder: '/case', examiner: 'a', work: { kind: 'new', sources: [1] } }, job);
  // @ts-expect-error no such action
  runner.submit('export', {}, job);
  // The same calls, right:
  runner.submit('verify', { caseFolder: '/case', examiner: 'a' }, job);
  runner.submit(
    'purify',
    { caseFolder: '/case', examiner: 'a', work: { kind: 'new', items: 'all', bundlePath: '/bundle', classifierId: null, override: null } },
    job,
  );
}
