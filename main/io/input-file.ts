/** Reads an input file whole, turning the ways it can be absent or unusable into clear messages. */
import { readFile, stat } from 'node:fs/promises';
import { UserInputError } from '../errors/user-input-error.ts';

/** `expected` completes "expected ..." in messages, e.g. "an image" or "a .npy file". */
export async function readInputBytes(path: string, expected: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UserInputError(`${path}: is a directory, expected ${expected}`);
    if (info.size === 0) throw new UserInputError(`${path}: file is empty (0 bytes), expected ${expected}`);
    return await readFile(path);
  } catch (error) {
    throw describeReadError(error, path);
  }
}

function describeReadError(error: unknown, path: string): unknown {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserInputError(`${path}: file not found`);
    case 'EACCES':
    case 'EPERM':
      return new UserInputError(`${path}: permission denied`);
    case 'EISDIR':
      return new UserInputError(`${path}: is a directory`);
    default:
      return error;
  }
}
