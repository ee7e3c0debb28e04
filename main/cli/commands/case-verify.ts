import { SYSTEM_EXAMINER } from '../../case/case-database.ts';
import type { CaseVerification } from '../../case/verify-case.ts';
import { damageProblem, isDatabaseDamage } from '../../case/verify-database.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { runAction } from '../../actions/define-action.ts';
import { verifyCaseAction } from '../../actions/verify-case-action.ts';
import { actionControl } from '../action-control.ts';
import { defineCommand } from '../command.ts';
import { caseOption } from './case-options.ts';

/** Exit status 2 with the first broken link as the error line, after the full list on stdout. */
class CaseIntegrityBroken extends UserInputError {
  override name = 'CaseIntegrityBroken';
}

export const caseVerifyCommand = defineCommand({
  name: 'verify',
  summary: 'check every record against the audit chain, its signed checkpoints and every file hash; exit 2 naming each finding',
  description: [
    "Runs SQLite's integrity check; checks the audit log's hash chain entry by entry; compares the schema (tables, indexes and the append-only triggers) text for text with what this program creates; re-derives every record (the case, examiners, items, tags and categories, notes, purification runs, verdicts, reports, signing keys) from the audit entry that created it, so that a row added, edited or deleted behind the program's back is named with its entry; checks every signed checkpoint (signature and head) against the chain, including the checkpoints this computer's examiners signed; re-hashes every evidence file, purified output and report file.",
    "Prints the chain's head hash and the latest signed checkpoint. Exit 0: everything holds; 2: at least one finding (each printed as a BROKEN line); 1: the check itself failed. The check is recorded in the audit log.",
  ].join('\n\n'),
  options: {
    case: caseOption,
    examiner: { type: 'string', valueName: 'NAME', description: `who runs the check (default: '${SYSTEM_EXAMINER}')` },
  },
  async run(context) {
    const { options, print, note } = context;
    let result: CaseVerification;
    try {
      result = await runAction(verifyCaseAction, { caseFolder: options.case, examiner: options.examiner ?? SYSTEM_EXAMINER }, actionControl(context));
    } catch (error) {
      // A file damaged where opening reads it: that is the finding, not a failure of the check.
      if (!isDatabaseDamage(error)) throw error;
      const problem = damageProblem(error, 'the case while opening it');
      print(`BROKEN      [${problem.kind}] ${problem.where}: ${problem.reason}`);
      throw new CaseIntegrityBroken(`case failed verification (1 problem); first broken link: ${problem.where}: ${problem.reason}`);
    }
    print(`audit log   ${result.auditChain.entries} entries checked, head ${result.auditChain.headSha256}`);
    const latest = result.checkpoints.latest;
    print(
      latest
        ? `checkpoint  entry ${latest.sequence} signed by ${latest.examiner} on ${latest.signedAt} (key ${latest.keyFingerprint}); ${result.checkpoints.entriesAfterLatest} later entries not yet signed`
        : `checkpoint  none valid: no signature anchors this chain (sign one with 'acsr case checkpoint')`,
    );
    print(`evidence    ${result.itemsChecked} files checked${result.outputsChecked > 0 ? `, ${result.outputsChecked} purified outputs` : ''}`);
    print(`reports     ${result.reportsChecked} report files re-hashed`);
    for (const path of result.unrecordedStoreFiles) note(`${path} is in the evidence store but no record names it (left by an interrupted import?)`);
    for (const path of result.reportsNotFound) note(`report file ${path} (written outside the case folder) is not reachable from here; it was not checked`);
    for (const problem of result.problems) {
      print(`BROKEN      [${problem.kind}] ${problem.where}: ${problem.reason}${problem.auditSequence ? ` (audit entry ${problem.auditSequence})` : ''}`);
    }
    if (!result.ok)
      throw new CaseIntegrityBroken(
        `case failed verification (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}); first broken link: ${result.firstBrokenLink}`,
      );
    print('verified: the audit chain holds, every record matches its entry, and every evidence and report file matches its hash');
    return { ...result };
  },
});
