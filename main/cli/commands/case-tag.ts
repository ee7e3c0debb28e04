import { CATEGORY_LABELS, type CategoryCode } from '../../case/tag-categories.ts';
import { UsageError } from '../errors.ts';
import { defineCommand } from '../command.ts';
import { caseOption, examinerOption, withCase } from './case-options.ts';

export const caseTagCommand = defineCommand({
  name: 'tag',
  summary: 'give an item a category (CAT-0..CAT-5) or a user tag',
  description: `Categories: ${Object.entries(CATEGORY_LABELS)
    .map(([code, label]) => `${code} ${label}`)
    .join('; ')}. An item has one category, the latest given; earlier ones stay in its history and the audit log.`,
  examples: ['acsr case tag --case cases/2026-0042 --item 12 --category CAT-5 --comment "stock photo" --examiner "A. Jones"'],
  options: {
    case: caseOption,
    item: { type: 'integer', required: true, min: 1, valueName: 'ID', description: 'the evidence item' },
    category: { type: 'string', valueName: 'CAT-n', description: 'category CAT-0..CAT-5' },
    tag: { type: 'string', valueName: 'TAG', description: 'a free-form user tag' },
    comment: { type: 'string', description: 'why' },
    examiner: examinerOption,
  },
  async run({ options, print, note }) {
    if ((options.category === undefined) === (options.tag === undefined)) throw new UsageError('give exactly one of --category and --tag');
    return withCase(options.case, note, async (caseFolder) => {
      const tag = caseFolder.db.addTag({
        itemId: options.item,
        examiner: options.examiner,
        ...(options.category === undefined ? {} : { category: options.category }),
        ...(options.tag === undefined ? {} : { tag: options.tag }),
        ...(options.comment === undefined ? {} : { comment: options.comment }),
      });
      const label = tag.kind === 'category' ? `category ${tag.value} (${CATEGORY_LABELS[tag.value as CategoryCode]})` : `tag '${tag.value}'`;
      print(`item ${tag.itemId}: ${label}`);
      return { tag };
    });
  },
});
