/**
 * Plain-text and CSV hash lists, one entry per line:
 *
 *   # comment lines start with '#'; blank lines are skipped
 *   hash[,category[,source]]              (or the same separated by tabs)
 *
 * The kind is told by the length of the hexadecimal hash: 32 MD5, 40 SHA-1, 64 PDQ or SHA-256.
 * A 64-character hash could be either, so the list says which in a header row or the importer
 * does (`sixtyFourHexIs`). The first line may be a header (it is one when none of its fields is
 * a hash): it names the columns, case and punctuation ignored: hash/value, pdq, md5, sha1,
 * sha256 (several hash columns make one entry with several hashes), category/label/class,
 * source/origin, kind/type/algorithm (the kind of the 'hash' column on that line), and others
 * (quality, filename, ...) are ignored. Fields may be quoted as in CSV ("a, b" and "" inside).
 */
import { UserInputError } from '../errors/user-input-error.ts';
import { HEX_LENGTH, KIND_LABEL, isHex, kindFromName, kindsOfLength, type HashKind } from './hash-kinds.ts';
import type { HashListBuilder } from './hash-list.ts';

export interface TextHashListOptions {
  /** What a 64-character hash in an unnamed column is; without it such a hash is refused. */
  sixtyFourHexIs?: 'pdq' | 'sha256';
}

type Role = { role: 'hash'; kind: HashKind | null } | { role: 'category' | 'source' | 'kind' | 'ignored' };

const UNNAMED_COLUMNS: Role[] = [{ role: 'hash', kind: null }, { role: 'category' }, { role: 'source' }];

function roleOfHeader(name: string): Role {
  const kind = kindFromName(name);
  if (kind) return { role: 'hash', kind };
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (['hash', 'value', 'hashvalue', 'digest'].includes(key)) return { role: 'hash', kind: null };
  if (['category', 'cat', 'label', 'class', 'classification'].includes(key)) return { role: 'category' };
  if (['source', 'origin', 'reference', 'provenance'].includes(key)) return { role: 'source' };
  if (['kind', 'type', 'algorithm', 'hashtype', 'hashkind', 'hashalgorithm'].includes(key)) return { role: 'kind' };
  return { role: 'ignored' };
}

/** Splits on tabs when the line has any, else on commas, honouring CSV double quotes. */
export function splitFields(line: string): string[] | string {
  if (line.includes('\t')) return line.split('\t').map((field) => field.trim());
  if (!line.includes('"')) return line.split(',').map((field) => field.trim());
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    while (line[at] === ' ') at++;
    if (line[at] === '"') {
      let value = '';
      at++;
      for (;;) {
        const close = line.indexOf('"', at);
        if (close < 0) return 'a quoted field is not closed';
        value += line.slice(at, close);
        at = close + 1;
        if (line[at] !== '"') break;
        value += '"';
        at++;
      }
      while (line[at] === ' ') at++;
      if (at < line.length && line[at] !== ',') return 'text after a quoted field';
      fields.push(value);
    } else {
      const comma = line.indexOf(',', at);
      fields.push(line.slice(at, comma < 0 ? line.length : comma).trim());
      at = comma < 0 ? line.length : comma;
    }
    if (at >= line.length) return fields;
    at++; // the comma
  }
}

function quoted(text: string): string {
  return `'${text.length > 70 ? `${text.slice(0, 70)}...` : text}'`;
}

export class TextHashListParser {
  private columns: Role[] | null = null;
  private hasHeader = false;

  private readonly builder: HashListBuilder;
  private readonly where: string;
  private readonly options: TextHashListOptions;
  constructor(builder: HashListBuilder, where: string, options: TextHashListOptions = {}) {
    this.builder = builder;
    this.where = where;
    this.options = options;
  }

  /** One line (without its end-of-line characters); `lineNumber` is 1-based. */
  line(raw: string, lineNumber: number): void {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const fields = splitFields(text);
    if (typeof fields === 'string') this.refuse(lineNumber, fields);
    if (this.columns === null) {
      if (!fields.some((field) => isHex(field) && kindsOfLength(field.length) !== null)) {
        this.columns = this.headerColumns(fields, lineNumber);
        this.hasHeader = true;
        return;
      }
      this.columns = UNNAMED_COLUMNS;
    }
    this.entry(fields, lineNumber);
  }

  private headerColumns(fields: string[], lineNumber: number): Role[] {
    const roles = fields.map(roleOfHeader);
    if (!roles.some((role) => role.role === 'hash')) {
      this.refuse(
        lineNumber,
        `${quoted(fields.join(','))} is neither a hash (32, 40 or 64 hexadecimal characters) nor a header naming a hash column (hash, pdq, md5, sha1 or sha256)`,
      );
    }
    return roles;
  }

  private entry(fields: string[], lineNumber: number): void {
    const columns = this.columns!;
    if (fields.length > columns.length) {
      this.refuse(
        lineNumber,
        this.hasHeader
          ? `found ${fields.length} fields but the header names ${columns.length}`
          : `expected hash[,category[,source]] but found ${fields.length} fields`,
      );
    }
    let category: string | null = null;
    let source: string | null = null;
    let kindField: string | null = null;
    const hashes: Array<{ kind: HashKind | null; value: string }> = [];
    columns.forEach((column, index) => {
      const value = fields[index] ?? '';
      if (column.role === 'hash') {
        if (value !== '') hashes.push({ kind: column.kind, value });
      } else if (column.role === 'category') category = value || null;
      else if (column.role === 'source') source = value || null;
      else if (column.role === 'kind') kindField = value || null;
    });
    if (hashes.length === 0) this.refuse(lineNumber, 'no hash on this line');
    const resolved = hashes.map(({ kind, value }) => ({ kind: this.kindOf(kind, kindField, value, lineNumber), value }));
    const entry = this.builder.addEntry(lineNumber, category, source);
    for (const { kind, value } of resolved) this.builder.addHash(entry, kind, value);
  }

  private kindOf(named: HashKind | null, kindField: string | null, value: string, lineNumber: number): HashKind {
    if (!isHex(value)) this.refuse(lineNumber, `${quoted(value)} is not a hash: it has characters that are not hexadecimal`);
    let kind = named;
    if (kind === null && kindField !== null) {
      kind = kindFromName(kindField);
      if (kind === null) this.refuse(lineNumber, `${quoted(kindField)} is not a hash kind (pdq, md5, sha1 or sha256)`);
    }
    if (kind !== null) {
      if (value.length !== HEX_LENGTH[kind]) {
        this.refuse(
          lineNumber,
          `${quoted(value)} is not a ${KIND_LABEL[kind]} hash: expected ${HEX_LENGTH[kind]} hexadecimal characters, found ${value.length}`,
        );
      }
      return kind;
    }
    const byLength = kindsOfLength(value.length);
    if (byLength === null) {
      this.refuse(
        lineNumber,
        `${quoted(value)} is not a hash: expected 32 (MD5), 40 (SHA-1) or 64 (PDQ or SHA-256) hexadecimal characters, found ${value.length}`,
      );
    }
    if (byLength !== 'pdq-or-sha256') return byLength;
    if (this.options.sixtyFourHexIs) return this.options.sixtyFourHexIs;
    return this.refuse(
      lineNumber,
      'a 64-character hash can be PDQ or SHA-256: name the column pdq or sha256 in a header row, or choose the kind when importing',
    );
  }

  private refuse(lineNumber: number, reason: string): never {
    throw new UserInputError(`${this.where} line ${lineNumber}: ${reason}`);
  }
}
