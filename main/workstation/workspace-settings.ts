/**
 * What the workstation remembers between launches: who the examiner is, whether thumbnails
 * start blurred, and the worker queue (if any). Kept as one small JSON file in the workspace,
 * written atomically.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { workerQueueSettingSchema, type WorkerQueueSetting } from '../ipc/contract/workers.ts';

export const SETTINGS_FILE = '.acsr-workstation.json';

export interface WorkspaceSettings {
  examiner: string | null;
  blurByDefault: boolean;
  /** The Redis the workers take purification tasks from, and their shared folder; null: none. */
  workerQueue: WorkerQueueSetting | null;
}

const DEFAULT_SETTINGS: WorkspaceSettings = { examiner: null, blurByDefault: true, workerQueue: null };

export async function readSettings(workspace: string): Promise<WorkspaceSettings> {
  let text: string;
  try {
    text = await readFile(join(workspace, SETTINGS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_SETTINGS };
    throw error;
  }
  // A hand-edited or damaged file must not lock the investigator out: unusable fields fall back.
  let stored: Partial<WorkspaceSettings>;
  try {
    stored = JSON.parse(text) as Partial<WorkspaceSettings>;
  } catch {
    stored = {};
  }
  return {
    examiner: typeof stored.examiner === 'string' && stored.examiner.trim() ? stored.examiner.trim() : null,
    blurByDefault: typeof stored.blurByDefault === 'boolean' ? stored.blurByDefault : DEFAULT_SETTINGS.blurByDefault,
    workerQueue: workerQueueSettingSchema.safeParse(stored.workerQueue).data ?? null,
  };
}

/** The worker queue may be left out (kept as none). */
export async function writeSettings(
  workspace: string,
  settings: Omit<WorkspaceSettings, 'workerQueue'> & Partial<Pick<WorkspaceSettings, 'workerQueue'>>,
): Promise<void> {
  await writeFileAtomic(join(workspace, SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`);
}
