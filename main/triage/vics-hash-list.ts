/**
 * The Media records of a Project VIC list (VICS data model 1.x and 2.0) into hash-list entries:
 * MD5 and SHA1 (hexadecimal, any case), Category (a number, kept as its text) and MediaID (kept
 * as the source, so a match can be traced back to the record). A record with neither hash is
 * skipped and counted; a record with a malformed hash is refused with its line.
 */
import { UserInputError } from '../errors/user-input-error.ts';
import { HEX_LENGTH, KIND_LABEL, isHex, type ExactHashKind } from './hash-kinds.ts';
import type { HashListBuilder } from './hash-list.ts';

const VICS_HASH_FIELDS: Array<[string, ExactHashKind]> = [
  ['MD5', 'md5'],
  ['SHA1', 'sha1'],
];

export class VicsRecordReader {
  skippedWithoutHash = 0;

  private readonly builder: HashListBuilder;
  private readonly where: string;
  constructor(builder: HashListBuilder, where: string) {
    this.builder = builder;
    this.where = where;
  }

  record(json: string, line: number): void {
    let media: Record<string, unknown>;
    try {
      media = JSON.parse(json) as Record<string, unknown>;
    } catch (error) {
      this.refuse(line, `the Media record is not valid JSON (${(error as Error).message})`);
    }
    const hashes: Array<[ExactHashKind, string]> = [];
    for (const [field, kind] of VICS_HASH_FIELDS) {
      const value = media[field];
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' || !isHex(value) || value.length !== HEX_LENGTH[kind]) {
        this.refuse(line, `${field} ${JSON.stringify(value)} is not a ${KIND_LABEL[kind]} hash (expected ${HEX_LENGTH[kind]} hexadecimal characters)`);
      }
      hashes.push([kind, value]);
    }
    if (hashes.length === 0) {
      this.skippedWithoutHash++;
      return;
    }
    const category = media.Category;
    if (category !== undefined && category !== null && typeof category !== 'number' && typeof category !== 'string') {
      this.refuse(line, `Category ${JSON.stringify(category)} is neither a number nor text`);
    }
    const mediaId = media.MediaID;
    const source = typeof mediaId === 'number' || typeof mediaId === 'string' ? `MediaID ${mediaId}` : null;
    const entry = this.builder.addEntry(line, category === undefined || category === null ? null : String(category), source);
    for (const [kind, value] of hashes) this.builder.addHash(entry, kind, value);
  }

  private refuse(line: number, reason: string): never {
    throw new UserInputError(`${this.where} line ${line}: ${reason}`);
  }
}
