/**
 * In Electron, the renderer reaches the file system only through native dialogs: a path enters
 * a job request only if a dialog of this session returned it (or a folder inside one). A
 * compromised renderer therefore cannot make the app read a path the investigator never chose.
 * (The browser host has no native dialogs; there the person types the path.)
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { JobRequest } from '../ipc/contract/index.ts';

export class GrantedPaths {
  readonly #granted = new Set<string>();

  grant(path: string): void {
    this.#granted.add(resolve(path));
  }

  /** Null when every path of the request was granted; otherwise why it is refused. */
  refusal(request: JobRequest): string | null {
    const paths = request.kind === 'import' ? (request.sources ?? []) : request.kind === 'train' || request.kind === 'eval' ? [request.labelledFolder] : [];
    const ungranted = paths.filter((path) => !this.#covers(resolve(path)));
    return ungranted.length === 0
      ? null
      : `choose ${ungranted.length === 1 ? 'this folder' : 'these folders'} with the folder dialog first: ${ungranted.join(', ')}`;
  }

  #covers(path: string): boolean {
    for (const granted of this.#granted) {
      const inside = relative(granted, path);
      if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) return true;
    }
    return false;
  }
}
