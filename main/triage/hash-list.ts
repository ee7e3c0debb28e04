/**
 * A parsed known-content hash list, held compactly enough for millions of entries: PDQ hashes
 * packed in one typed array (packed-pdq.ts), MD5/SHA-1/SHA-256 in Maps from lower-case hex for
 * exact lookup, and per entry (a line of a text list, a Media record of a Project VIC list) its
 * category, source and line as numbers into a table of distinct strings.
 */
import { EXACT_HASH_KINDS, HASH_KINDS, type ExactHashKind, type HashKind } from './hash-kinds.ts';
import { PDQ_WORDS, packPdqHex } from './packed-pdq.ts';
import { PdqRowSet } from './pdq-row-set.ts';

export type HashListFormat = 'text' | 'vics-json';

export interface HashListEntry {
  /** 1-based line of the file where the entry (its line, or its Media record) starts. */
  line: number;
  category: string | null;
  source: string | null;
}

/** Growable Uint32Array: doubling, so a million appends copy about two million words. */
class U32Column {
  data = new Uint32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }
  grow(capacity: number): void {
    if (capacity <= this.data.length) return;
    let size = this.data.length;
    while (size < capacity) size *= 2;
    const bigger = new Uint32Array(size);
    bigger.set(this.data);
    this.data = bigger;
  }
  trimmed(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

export class HashList {
  readonly format: HashListFormat;
  /** SHA-256 of the file's bytes, lower-case hex: the list's version. */
  readonly sha256: string;
  readonly byteLength: number;
  /** Distinct hashes of each kind (a hash listed twice counts once; see duplicates). */
  readonly counts: Record<HashKind, number>;
  /** Hashes that were already in the list earlier (the first entry keeps them). */
  readonly duplicates: number;
  readonly entryCount: number;
  /** Records that carried no hash of a kind we match (Project VIC media without MD5 or SHA1). */
  readonly skippedRecords: number;
  /** PDQ hashes packed (row k at words 8k..8k+7), and the entry each row belongs to. */
  readonly pdq: { words: Uint32Array; count: number; entryOfRow: Uint32Array };
  readonly exact: Record<ExactHashKind, ReadonlyMap<string, number>>;
  private readonly strings: readonly string[];
  private readonly entryLine: Uint32Array;
  private readonly entryCategory: Uint32Array;
  private readonly entrySource: Uint32Array;

  constructor(built: HashListBuilder, format: HashListFormat, sha256: string, byteLength: number, skippedRecords = 0) {
    this.format = format;
    this.skippedRecords = skippedRecords;
    this.sha256 = sha256;
    this.byteLength = byteLength;
    this.duplicates = built.duplicates;
    this.entryCount = built.lines.length;
    const pdqCount = built.pdqEntries.length;
    this.pdq = { words: built.pdqWords.data.slice(0, pdqCount * PDQ_WORDS), count: pdqCount, entryOfRow: built.pdqEntries.trimmed() };
    this.exact = built.exact;
    this.counts = { pdq: pdqCount, md5: built.exact.md5.size, sha1: built.exact.sha1.size, sha256: built.exact.sha256.size };
    this.strings = built.strings;
    this.entryLine = built.lines.trimmed();
    this.entryCategory = built.categories.trimmed();
    this.entrySource = built.sources.trimmed();
  }

  entry(index: number): HashListEntry {
    if (!(index >= 0 && index < this.entryCount)) throw new RangeError(`no entry ${index} in a list of ${this.entryCount}`);
    return {
      line: this.entryLine[index],
      category: this.strings[this.entryCategory[index]] || null,
      source: this.strings[this.entrySource[index]] || null,
    };
  }

  /** The entry listing this exact hash (any case), or undefined. */
  lookup(kind: ExactHashKind, hex: string): number | undefined {
    return this.exact[kind].get(hex.toLowerCase());
  }

  get hashCount(): number {
    return HASH_KINDS.reduce((sum, kind) => sum + this.counts[kind], 0);
  }
}

/** Collects entries as a parser reads them; the hashes given must already be validated. */
export class HashListBuilder {
  readonly pdqWords = new U32Column();
  readonly pdqEntries = new U32Column();
  readonly exact: Record<ExactHashKind, Map<string, number>> = { md5: new Map(), sha1: new Map(), sha256: new Map() };
  readonly lines = new U32Column();
  readonly categories = new U32Column();
  readonly sources = new U32Column();
  /** strings[0] is "none". */
  readonly strings: string[] = [''];
  duplicates = 0;
  private readonly stringIndex = new Map<string, number>([['', 0]]);
  private readonly seenPdq = new PdqRowSet();

  /** Starts an entry; returns its index for addHash. */
  addEntry(line: number, category: string | null, source: string | null): number {
    this.lines.push(line);
    this.categories.push(this.intern(category));
    this.sources.push(this.intern(source));
    return this.lines.length - 1;
  }

  /** Adds a hash (hexadecimal of the right length) to an entry; false if the list already had it. */
  addHash(entry: number, kind: HashKind, hex: string): boolean {
    const key = hex.toLowerCase();
    if (kind === 'pdq') {
      const row = this.pdqEntries.length;
      this.pdqWords.grow((row + 1) * PDQ_WORDS);
      if (!packPdqHex(key, this.pdqWords.data, row * PDQ_WORDS)) throw new Error(`unvalidated PDQ hash '${hex}'`);
      if (this.seenPdq.addOrFind(this.pdqWords.data, row) >= 0) return this.duplicate();
      this.pdqEntries.push(entry);
      return true;
    }
    const map = this.exact[kind];
    if (map.has(key)) return this.duplicate();
    map.set(key, entry);
    return true;
  }

  get hashCount(): number {
    return this.pdqEntries.length + EXACT_HASH_KINDS.reduce((sum, kind) => sum + this.exact[kind].size, 0);
  }

  private duplicate(): false {
    this.duplicates++;
    return false;
  }

  private intern(value: string | null): number {
    if (!value) return 0;
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.stringIndex.set(value, index);
    }
    return index;
  }
}
