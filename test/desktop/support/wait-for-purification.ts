/**
 * Waits until an item of a case has a recorded purification run, read straight from the case's
 * database (read-only). Bulk purification codes several items at once, so the job's progress text
 * no longer says when the first of them is done; the recorded run does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export async function waitForPurificationRun(caseFolder: string, itemId: number, timeoutMs = 240_000, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (purificationRunCount(caseFolder, itemId) > 0) return;
    if (Date.now() > deadline) throw new Error(`item ${itemId} of ${caseFolder} has no purification run after ${timeoutMs / 1000} s`);
    await sleep(pollMs);
  }
}

/** How many purification runs the case has recorded for an item. */
export function purificationRunCount(caseFolder: string, itemId: number): number {
  const db = new Database(join(caseFolder, 'case.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS runs FROM purification_runs WHERE item_id = ?').get(itemId) as { runs: number }).runs;
  } finally {
    db.close();
  }
}
