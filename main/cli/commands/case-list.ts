import { displayPath } from '../../case/display-path.ts';
import { evasionSummariesByItem } from '../../case/evasion-summary.ts';
import { sortByScore } from '../../case/score-order.ts';
import { CATEGORY_CODES } from '../../case/tag-categories.ts';
import { hashMatchesByItem } from '../../case/hash-match-view.ts';
import { defineCommand } from '../command.ts';
import { caseOption, shortHash, withCase } from './case-options.ts';

export const caseListCommand = defineCommand({
  name: 'list',
  summary: "list a case's evidence items, optionally filtered by category, tags and suspected evasion",
  description:
    "An item's category is the latest one given to it. Filters combine: --category CAT-1 --tag reviewed lists the items currently in CAT-1 that also carry the user tag 'reviewed'; --category none lists the items not categorised yet. An item purified with a bundle calibrated by `acsr calibrate-evasion` carries the evasion score of its latest purification (the estimated probability that it was made to fool the filter); --suspected-evasion lists only those above their calibrated threshold, --sort evasion puts the highest scores first.",
  examples: [
    'acsr case list --case cases/2026-0042 --category CAT-1',
    'acsr case list --case cases/2026-0042 --category none --json',
    'acsr case list --case cases/2026-0042 --suspected-evasion --sort evasion',
  ],
  options: {
    case: caseOption,
    category: {
      type: 'string',
      choices: ['any', 'none', ...CATEGORY_CODES],
      default: 'any',
      valueName: 'CAT-n|none|any',
      description: "only items whose current category is this ('none': not categorised yet)",
    },
    tag: { type: 'string', multiple: true, valueName: 'TAG', description: 'only items carrying every one of these user tags' },
    matched: { type: 'boolean', description: "only items that match a known-content hash list ('acsr case match')" },
    'suspected-evasion': { type: 'boolean', description: 'only items whose latest purification scored above the evasion threshold' },
    sort: {
      type: 'string',
      choices: ['import', 'evasion'],
      default: 'import',
      valueName: 'import|evasion',
      description: 'order: as imported, or highest evasion score first',
    },
  },
  async run({ options, print, note }) {
    return withCase(
      options.case,
      note,
      async (caseFolder) => {
        const matchesOf = hashMatchesByItem(caseFolder.db.hashMatches());
        const evasionOf = evasionSummariesByItem(caseFolder.db);
        const listed = caseFolder.db
          .listItems({
            ...(options.category === 'any' || options.category === 'none' ? {} : { category: options.category }),
            tags: options.tag,
            uncategorised: options.category === 'none',
          })
          // hashMatches only on matched items and evasion only on scored ones, so the JSON of cases without keeps its shape.
          .map((item) => (matchesOf(item.id).length > 0 ? { ...item, hashMatches: matchesOf(item.id) } : item))
          .filter((item) => !options.matched || 'hashMatches' in item)
          .map((item) => {
            const evasion = evasionOf(item.id);
            return evasion ? { ...item, evasion } : item;
          })
          .filter((item) => !options['suspected-evasion'] || ('evasion' in item && item.evasion.suspected));
        // highest first, as the grid's evasion sort: ties and the unscored by item number
        const items =
          options.sort === 'evasion'
            ? sortByScore(
                listed,
                (item) => item.id,
                (item) => ('evasion' in item ? item.evasion.score : null),
                -1,
              )
            : listed;
        for (const item of items) {
          const tags = item.tags.length > 0 ? `  [${item.tags.join(', ')}]` : '';
          const found = 'hashMatches' in item ? item.hashMatches : [];
          const matched = found.length > 0 ? `  matches ${[...new Set(found.map((match) => match.listName))].join(', ')}` : '';
          const evasion = 'evasion' in item ? `  evasion ${item.evasion.score.toFixed(3)}${item.evasion.suspected ? ' SUSPECTED' : ''}` : '';
          print(
            `${String(item.id).padStart(5)}  ${(item.category ?? '-').padEnd(5)}  ${`${item.width}x${item.height}`.padEnd(11)}  ${shortHash(item.sha256)}  ${displayPath(item.originalName)}${tags}${matched}${evasion}`,
          );
        }
        print(`${items.length} item${items.length === 1 ? '' : 's'}`);
        return { count: items.length, items };
      },
      { readonly: true },
    );
  },
});
