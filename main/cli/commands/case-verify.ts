import { SYSTEM_EXAMINER } from '../../case/case-database.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { defineCommand } from '../command.ts';
import { caseOption, withCase } from './case-options.ts';

/** Exit status 2 with the first broken link as the error line, after the full list on stdout. */
class CaseIntegrityBroken extends UserInputError {
  override name = 'CaseIntegrityBroken';
}

export const caseVerifyCommand = defineCommand({
  name: 'verify',
  summary: 'recompute the audit chain and every evidence hash; exit 2 naming the first broken link',
  description:
    'Checks the hash chain of the audit log entry by entry, that the append-only triggers are still in place, every evidence file against its recorded SHA-256, every item against its import entry in the audit log, and stored purified outputs. The check itself is recorded in the audit log.',
  options: {
    case: caseOption,
    examiner: { type: 'string', valueName: 'NAME', description: `who runs the check (default: '${SYSTEM_EXAMINER}')` },
  },
  async run({ options, print, note, progress, signal }) {
    return withCase(options.case, note, async (caseFolder) => {
      const result = await caseFolder.verify({ examiner: options.examiner ?? SYSTEM_EXAMINER, progress, signal });
      print(`audit log   ${result.auditChain.entries} entries checked, head ${result.auditChain.headSha256}`);
      print(`evidence    ${result.itemsChecked} files checked${result.outputsChecked > 0 ? `, ${result.outputsChecked} purified outputs` : ''}`);
      for (const path of result.unrecordedStoreFiles) note(`${path} is in the evidence store but no record names it (left by an interrupted import?)`);
      for (const problem of result.problems) print(`BROKEN      ${problem.where}: ${problem.reason}`);
      if (!result.ok) throw new CaseIntegrityBroken(`case failed verification (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}); first broken link: ${result.firstBrokenLink}`);
      print('verified: the audit chain holds and every evidence file matches its hash');
      return { ...result };
    });
  },
});
