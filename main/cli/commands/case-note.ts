import { defineCommand } from '../command.ts';
import { caseOption, examinerOption, withCase } from './case-options.ts';

export const caseNoteCommand = defineCommand({
  name: 'note',
  summary: 'add a note to the case or to one item (notes are never edited, only added)',
  examples: ['acsr case note --case cases/2026-0042 --item 12 --text "same scene as item 9, cropped" --examiner "A. Jones"'],
  options: {
    case: caseOption,
    item: { type: 'integer', min: 1, valueName: 'ID', description: 'the evidence item (default: a note on the case)' },
    text: { type: 'string', required: true, description: 'the note' },
    examiner: examinerOption,
  },
  async run({ options, print, note }) {
    return withCase(options.case, note, async (caseFolder) => {
      const added = caseFolder.db.addNote({ text: options.text, examiner: options.examiner, ...(options.item === undefined ? {} : { itemId: options.item }) });
      print(`note ${added.id} added to ${added.itemId === null ? 'the case' : `item ${added.itemId}`}`);
      return { note: added };
    });
  },
});
