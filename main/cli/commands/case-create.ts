import { CaseFolder } from '../../case/case-folder.ts';
import { checkCaseNumber } from '../../case/case-number.ts';
import { defineCommand } from '../command.ts';
import { caseOption, examinerOption } from './case-options.ts';

export const caseCreateCommand = defineCommand({
  name: 'create',
  summary: 'make a new case folder',
  description:
    'Creates DIR (which must not exist or be empty) with the case database and an empty evidence store, and opens the audit log with the case-create entry.',
  examples: [
    'acsr case create --case cases/2026-0042 --number 2026-0042 --title "Reported uploads, batch 7" --requester "T&S escalations" --examiner "A. Jones"',
  ],
  options: {
    case: caseOption,
    number: {
      type: 'string',
      required: true,
      description: 'case number: letters, digits, . _ - (at most 64, starting with a letter or digit), as it names the case folder in a workspace',
    },
    title: { type: 'string', required: true, description: 'short title' },
    requester: { type: 'string', description: 'who asked for the examination' },
    examiner: examinerOption,
  },
  async run({ options, print }) {
    // The same rule as the workstation's, where the number names the case's folder.
    checkCaseNumber(options.number.trim());
    const caseFolder = await CaseFolder.create(options.case, options);
    try {
      const record = caseFolder.db.getCase();
      print(`created case ${record.number} "${record.title}" in ${caseFolder.folder}`);
      return { case: record, folder: caseFolder.folder };
    } finally {
      caseFolder.close();
    }
  },
});
