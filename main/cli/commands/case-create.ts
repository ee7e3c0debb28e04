import { CaseFolder } from '../../case/case-folder.ts';
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
    number: { type: 'string', required: true, description: 'case number, as your organisation writes it' },
    title: { type: 'string', required: true, description: 'short title' },
    requester: { type: 'string', description: 'who asked for the examination' },
    examiner: examinerOption,
  },
  async run({ options, print }) {
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
