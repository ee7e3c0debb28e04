import { defineCommandGroup } from '../command.ts';
import { caseCheckpointCommand } from './case-checkpoint.ts';
import { caseCreateCommand } from './case-create.ts';
import { caseImportCommand } from './case-import.ts';
import { caseListCommand } from './case-list.ts';
import { caseMatchCommand } from './case-match.ts';
import { caseNoteCommand } from './case-note.ts';
import { casePurifyCommand } from './case-purify.ts';
import { caseReportCommand } from './case-report.ts';
import { caseShowCommand } from './case-show.ts';
import { caseTagCommand } from './case-tag.ts';
import { caseVerifyCommand } from './case-verify.ts';

export const caseCommandGroup = defineCommandGroup({
  name: 'case',
  summary: 'case folders: evidence import, tags, notes, verification of the audit log',
  description:
    'A case is a folder: case.sqlite (records and a hash-chained, append-only audit log) and evidence/ (read-only copies of the imported files, named by SHA-256). Every change is recorded with the examiner who made it.',
  subcommands: [
    caseCreateCommand,
    caseImportCommand,
    caseListCommand,
    caseShowCommand,
    caseTagCommand,
    caseNoteCommand,
    caseVerifyCommand,
    caseCheckpointCommand,
    casePurifyCommand,
    caseReportCommand,
    caseMatchCommand,
  ],
});
