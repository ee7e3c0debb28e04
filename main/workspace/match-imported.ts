/**
 * Matching an import's new items against every hash list of the workspace (the folder holding
 * the case folder), right after the import, so a known picture is flagged as soon as it is in the
 * case. A workspace without a database or without lists has nothing to match: that is no error.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CaseFolder } from '../case/case-folder.ts';
import type { TaskControl } from '../progress/progress.ts';
import { matchCaseAgainstHashLists } from './match-case.ts';
import { WORKSPACE_DATABASE_FILE, WorkspaceDatabase } from './workspace-database.ts';

export interface ImportMatchSummary {
  lists: number;
  itemsChecked: number;
  matchedItems: number;
  /** Matches added to the case. */
  added: number;
}

/** null when the workspace holds no hash list. */
export async function matchImportedItems(
  caseFolder: CaseFolder,
  itemIds: readonly number[],
  options: TaskControl & { examiner: string },
): Promise<ImportMatchSummary | null> {
  const workspaceFolder = dirname(caseFolder.folder);
  if (itemIds.length === 0 || !existsSync(join(workspaceFolder, WORKSPACE_DATABASE_FILE))) return null;
  const workspace = WorkspaceDatabase.open(workspaceFolder, { create: false });
  try {
    if (workspace.hashLists.all().length === 0) return null;
    const summary = await matchCaseAgainstHashLists(caseFolder, workspace, { ...options, itemIds });
    return { lists: summary.lists.length, itemsChecked: summary.itemsChecked, matchedItems: summary.matchedItems, added: summary.added };
  } finally {
    workspace.close();
  }
}
