/** File-system failures on evidence sources, in words an examiner can act on. */
import { UserInputError } from '../errors/user-input-error.ts';
import { displayPath } from './display-path.ts';

/** The error kinds recorded per file in an import's summary and the audit log. */
export type ImportErrorKind =
  | 'empty-file'
  | 'not-a-regular-file'
  | 'permission-denied'
  | 'not-found'
  | 'read-error'
  | 'unsafe-name'
  | 'symlink-outside-folder'
  | 'symlink-not-followed'
  | 'unsupported-format'
  | 'not-an-image'
  | 'damaged-image'
  | 'too-many-pixels'
  | 'too-large'
  | 'over-memory-budget';

export class ImportFileError extends UserInputError {
  override name = 'ImportFileError';
  readonly kind: ImportErrorKind;
  constructor(kind: ImportErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export function describeFileError(error: unknown, path: string): unknown {
  if (error instanceof UserInputError) return error;
  const shown = displayPath(path);
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new ImportFileError('not-found', `${shown}: file not found (removed during the import?)`);
    case 'EACCES':
    case 'EPERM':
      return new ImportFileError('permission-denied', `${shown}: permission denied`);
    case 'EISDIR':
      return new ImportFileError('not-a-regular-file', `${shown}: is a directory`);
    case 'ELOOP':
      return new ImportFileError('symlink-not-followed', `${shown}: became a symbolic link after the folder was scanned: not followed`);
    case 'EIO':
      return new ImportFileError('read-error', `${shown}: input/output error while reading (failing disk or medium?)`);
    default:
      return error;
  }
}
