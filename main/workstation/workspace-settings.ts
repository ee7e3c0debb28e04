/**
 * What the workstation remembers between launches: who the examiner is and whether thumbnails
 * start blurred. Kept as one small JSON file in the workspace, written atomically.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';

export const SETTINGS_FILE = '.acsr-workstation.json';

export interface WorkspaceSettings {
  examiner: string | null;
  blurByDefault: boolean;
}

const DEFAULT_SETTINGS: WorkspaceSettings = { examiner: null, blurByDefault: true };

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
  };
}

export async function writeSettings(workspace: string, settings: WorkspaceSettings): Promise<void> {
  await writeFileAtomic(join(workspace, SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`);
}
