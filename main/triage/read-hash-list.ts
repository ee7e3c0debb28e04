/**
 * Reading a known-content hash list from a file or a stream of bytes: plain text / CSV
 * (text-hash-list.ts) or Project VIC JSON (vics-json-scanner.ts, vics-hash-list.ts), told apart
 * by the first character that is not white space ('{' is JSON). The bytes are decoded and parsed
 * chunk by chunk while their SHA-256 (the list's version) is computed, so a list of millions of
 * lines is held only as its parsed entries, never as one string.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import { HashList, HashListBuilder, type HashListFormat } from './hash-list.ts';
import { TextHashListParser, type TextHashListOptions } from './text-hash-list.ts';
import { VicsRecordReader } from './vics-hash-list.ts';
import { VicsMediaScanner } from './vics-json-scanner.ts';

export interface ReadHashListOptions extends TextHashListOptions {
  /** How messages name the list (default: "hash list"; the file's name for readHashListFile). */
  name?: string;
  /** Checked between chunks; reading stops with its reason. */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes read so far. */
  onProgress?: (bytesRead: number) => void;
}

/** Parses one chunk of decoded text at a time, keeping the unfinished last line. */
class TextLines {
  private pending = '';
  private lineNumber = 0;
  private readonly parser: TextHashListParser;
  constructor(parser: TextHashListParser) {
    this.parser = parser;
  }
  write(text: string): void {
    const data = this.pending + text;
    let start = 0;
    for (let end = data.indexOf('\n'); end >= 0; end = data.indexOf('\n', start)) {
      this.parser.line(data.slice(start, end), ++this.lineNumber);
      start = end + 1;
    }
    this.pending = data.slice(start);
  }
  end(): void {
    if (this.pending !== '') this.parser.line(this.pending, ++this.lineNumber);
  }
}

export async function readHashList(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ReadHashListOptions = {}): Promise<HashList> {
  const where = options.name ?? 'hash list';
  const builder = new HashListBuilder();
  const digest = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytesRead = 0;
  let format: HashListFormat | null = null;
  let sink: { write(text: string): void; end(): void } | null = null;
  let vics: VicsRecordReader | null = null;
  let held = '';

  const feed = (text: string) => {
    if (sink === null) {
      // Undecided until the first character that is not white space.
      held += text;
      const first = held.search(/\S/);
      if (first < 0) return;
      format = held[first] === '{' ? 'vics-json' : 'text';
      if (format === 'text') sink = new TextLines(new TextHashListParser(builder, where, options));
      else {
        const reader = (vics = new VicsRecordReader(builder, where));
        sink = new VicsMediaScanner(where, (json, line) => reader.record(json, line));
      }
      text = held;
      held = '';
    }
    sink.write(text);
  };

  for await (const chunk of chunks) {
    options.signal?.throwIfAborted();
    digest.update(chunk);
    bytesRead += chunk.byteLength;
    feed(decodeOrRefuse(decoder, chunk, where, true));
    options.onProgress?.(bytesRead);
  }
  feed(decodeOrRefuse(decoder, new Uint8Array(0), where, false));
  if (sink === null || format === null) throw new UserInputError(`${where}: the list is empty`);
  (sink as { end(): void }).end();
  if (builder.hashCount === 0) {
    const skipped = vics ? ` (${(vics as VicsRecordReader).skippedWithoutHash} records without an MD5 or SHA1)` : '';
    throw new UserInputError(`${where}: the list has no hashes${skipped}`);
  }
  return new HashList(builder, format, digest.digest('hex'), bytesRead, vics ? (vics as VicsRecordReader).skippedWithoutHash : 0);
}

export async function readHashListFile(file: string, options: ReadHashListOptions = {}): Promise<HashList> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    return await readHashList(stream as AsyncIterable<Uint8Array>, { name: path.basename(file), ...options });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new UserInputError(`cannot read hash list ${file}: ${(error as Error).message}`);
    throw error;
  } finally {
    stream.destroy();
  }
}

function decodeOrRefuse(decoder: TextDecoder, bytes: Uint8Array, where: string, more: boolean): string {
  try {
    return decoder.decode(bytes, { stream: more });
  } catch {
    throw new UserInputError(`${where}: not UTF-8 text`);
  }
}
