import { dirname, resolve } from 'node:path';
import { DIHEDRAL_NAMES } from '../../pdq/dihedral.ts';
import { PDQ_MATCH_THRESHOLD } from '../../pdq/pdq.ts';
import { KIND_LABEL } from '../../triage/hash-kinds.ts';
import { matchCaseAgainstHashLists } from '../../workspace/match-case.ts';
import { WorkspaceDatabase } from '../../workspace/workspace-database.ts';
import { defineCommand } from '../command.ts';
import { caseOption, examinerOption, withCase } from './case-options.ts';

export const caseMatchCommand = defineCommand({
  name: 'match',
  summary: "match every item of a case against the workspace's hash lists (exact MD5/SHA-1/SHA-256, PDQ by distance)",
  description:
    'Exact hashes match by equality; PDQ hashes match within --threshold bits (default 31) over the eight rotations and mirrors of each item, so a rotated or mirrored copy of a listed picture is found. ' +
    'Items whose PDQ quality is 49 or lower (flat or tiny pictures) are matched by their exact hashes only. ' +
    "Each stored evidence file is checked against its SHA-256 before it is hashed. The matches are kept in the case (a match found before is not added again) and the run, with the version of each list, is recorded in the case's audit log. An import matches its new items against the workspace's lists by itself; run this after adding a list.",
  examples: [
    'acsr case match --case ~/cases/2026-0042 --examiner "A. Jones"',
    'acsr case match --case ~/cases/2026-0042 --workspace ~/cases --threshold 20 --json',
  ],
  options: {
    case: caseOption,
    workspace: { type: 'string', valueName: 'DIR', description: 'the workspace holding the hash lists (default: the folder the case folder is in)' },
    threshold: {
      type: 'integer',
      min: 0,
      max: 63,
      default: PDQ_MATCH_THRESHOLD,
      valueName: 'BITS',
      description: 'largest PDQ distance that matches (beyond 63 bits unrelated pictures match)',
    },
    examiner: examinerOption,
  },
  async run({ options, print, note, progress, signal }) {
    const workspace = WorkspaceDatabase.open(options.workspace ?? dirname(resolve(options.case)), { create: false });
    try {
      return await withCase(options.case, note, async (caseFolder) => {
        const summary = await matchCaseAgainstHashLists(caseFolder, workspace, { examiner: options.examiner, threshold: options.threshold, progress, signal });
        for (const match of summary.matches) {
          const how =
            match.kind === 'pdq'
              ? `PDQ distance ${match.distance}${match.variant === 'original' ? '' : ` (${match.variant})`}`
              : `${KIND_LABEL[match.kind]} exact`;
          print(
            `item ${match.itemId}  ${match.itemName}  list '${match.listName}' line ${match.line}  category ${match.category ?? '-'}  ${how}${match.source ? `  source ${match.source}` : ''}`,
          );
        }
        if (summary.itemsBelowPdqQuality.length > 0) {
          note(
            `${summary.itemsBelowPdqQuality.length} item(s) with PDQ quality 49 or lower matched by exact hashes only: ${summary.itemsBelowPdqQuality.join(', ')}`,
          );
        }
        print(
          `${summary.matchedItems} of ${summary.itemsChecked} items matched (${summary.matches.length} matches) against ${summary.lists.length} list${summary.lists.length === 1 ? '' : 's'}`,
        );
        print(`${summary.added} new match${summary.added === 1 ? '' : 'es'} kept in the case (matches found before are kept as they were)`);
        return { ...summary, variants: DIHEDRAL_NAMES };
      });
    } finally {
      workspace.close();
    }
  },
});
