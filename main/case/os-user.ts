/**
 * The operating-system account that runs this program, recorded beside the examiner name typed
 * by hand: a typed name proves nothing, the account at least says whose session made the entry.
 */
import { userInfo } from 'node:os';

let cached: string | undefined;

export function currentOsUser(): string {
  if (cached !== undefined) return cached;
  try {
    cached = userInfo().username;
  } catch {
    // A container without a passwd entry for the uid: the number is all there is.
    cached = typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'unknown';
  }
  return cached;
}
