/**
 * The case's latest verification as the banner and the tile marks show it: read back from the
 * newest 'verify' audit entry, so a reload (or another process's verify) shows the same outcome.
 */
import type { CaseDatabase } from '../case/case-database.ts';
import type { VerificationOutcome } from '../ipc/contract/index.ts';

export function latestVerification(db: CaseDatabase): VerificationOutcome | null {
  const entry = db.latestAudit('verify');
  if (!entry) return null;
  let parameters: Record<string, unknown>;
  try {
    parameters = JSON.parse(entry.parameters) as Record<string, unknown>;
  } catch {
    // An entry that does not parse is itself what the next verification will report.
    return {
      ok: false,
      checkedAt: entry.time,
      checkedBy: entry.examiner,
      problemCount: 1,
      firstProblem: 'the record of the last verification cannot be read',
      affectedItemIds: [],
    };
  }
  const ok = parameters.ok === true;
  const ids = Array.isArray(parameters.affectedItemIds) ? parameters.affectedItemIds : [];
  return {
    ok,
    checkedAt: entry.time,
    checkedBy: entry.examiner,
    problemCount: typeof parameters.problemCount === 'number' && parameters.problemCount >= 0 ? Math.trunc(parameters.problemCount) : ok ? 0 : 1,
    firstProblem: typeof parameters.firstBrokenLink === 'string' ? parameters.firstBrokenLink : null,
    affectedItemIds: ids.filter((id): id is number => typeof id === 'number' && Number.isInteger(id) && id > 0),
  };
}
