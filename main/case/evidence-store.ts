/**
 * The case's evidence store: every imported file, byte for byte, under evidence/<aa>/<sha256>
 * (aa = the hash's first two hex digits, so no folder grows past a few thousand entries), made
 * read-only. A file's name is its content's hash, so the same content is stored once, and a file
 * that no longer matches its name has been altered.
 *
 * Files arrive through `receive`: copied into evidence/.incoming while both digests are
 * computed from the same single read, synced, and only then renamed into place. Files of any size
 * stream through; none is ever held in memory whole. A crash leaves at
 * worst a stray file in .incoming (removed on the next import), never a half-written evidence
 * file under a hash name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../io/hashing.ts';
import { openEvidenceSource, readChunks, type SourceLimits } from './evidence-source-file.ts';
import { describeFileError } from './file-errors.ts';

export const EVIDENCE_FOLDER = 'evidence';
const INCOMING_FOLDER = '.incoming';
const COPY_CHUNK_BYTES = 1 << 20;
const DISK_RESERVE_BYTES = 256 * 1024 * 1024;

export interface ReceivedFile {
  /** The copy, in .incoming until `commit` (or `discard`). */
  incomingPath: string;
  sha256: string;
  md5: string;
  /** Kept for matching against hash lists that give SHA-1 only (Project VIC style). */
  sha1: string;
  sizeBytes: number;
}

export class EvidenceStore {
  readonly caseFolder: string;
  readonly root: string;

  constructor(caseFolder: string) {
    this.caseFolder = caseFolder;
    this.root = join(caseFolder, EVIDENCE_FOLDER);
  }

  /** Relative to the case folder, as stored in the database, so a case folder can be moved. */
  relativePathOf(sha256: string): string {
    return `${EVIDENCE_FOLDER}/${sha256.slice(0, 2)}/${sha256}`;
  }

  absolutePath(relativePath: string): string {
    return join(this.caseFolder, ...relativePath.split('/'));
  }

  async initialise(): Promise<void> {
    await mkdir(join(this.root, INCOMING_FOLDER), { recursive: true });
  }

  /** Leftovers of an import that was killed mid-copy. */
  async removeStaleIncoming(): Promise<number> {
    const incoming = join(this.root, INCOMING_FOLDER);
    const names = await readdir(incoming).catch(() => [] as string[]);
    await Promise.all(names.map((name) => rm(join(incoming, name), { force: true })));
    return names.length;
  }

  /**
   * Copies `sourcePath` into .incoming, hashing while copying. The source is opened once,
   * read-only and non-blocking, checked through its descriptor (a regular file, within the size
   * limit, starting like a supported image) and read only through that descriptor, in chunks, so
   * a file of any size streams through. Without `followLinks` a source that is a symbolic link is
   * refused (ELOOP).
   */
  async receive(sourcePath: string, options: { followLinks: boolean } & SourceLimits): Promise<ReceivedFile> {
    const source = await openEvidenceSource(sourcePath, options.followLinks, options);
    const incomingPath = join(this.root, INCOMING_FOLDER, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    let sizeBytes = 0;
    let target: FileHandle | undefined;
    try {
      target = await open(incomingPath, 'wx', 0o600);
      for await (const chunk of readChunks(source, sourcePath, options, COPY_CHUNK_BYTES)) {
        sha256.update(chunk);
        md5.update(chunk);
        sha1.update(chunk);
        sizeBytes += chunk.length;
        await target.write(chunk);
      }
      await target.sync();
      await target.close();
      target = undefined;
    } catch (error) {
      await target?.close().catch(() => {});
      await rm(incomingPath, { force: true });
      throw describeFileError(error, sourcePath);
    } finally {
      // Not awaited: after a read that timed out, closing waits for that read, which may never end.
      void source.handle.close().catch(() => {});
    }
    return { incomingPath, sha256: sha256.digest('hex'), md5: md5.digest('hex'), sha1: sha1.digest('hex'), sizeBytes };
  }

  /** Bytes the case's disk can still take, keeping a reserve so the database can still be written. */
  async freeBytes(): Promise<number> {
    const info = await statfs(this.root);
    return Math.max(0, info.bavail * info.bsize - DISK_RESERVE_BYTES);
  }

  /** Moves a received file to its content address, read-only. Returns the relative path. */
  async commit(received: ReceivedFile): Promise<string> {
    const relativePath = this.relativePathOf(received.sha256);
    const finalPath = this.absolutePath(relativePath);
    await mkdir(join(this.root, received.sha256.slice(0, 2)), { recursive: true });
    await chmod(received.incomingPath, 0o444);
    // Same content under the same name: replacing an identical file left by an earlier crash is harmless.
    await rename(received.incomingPath, finalPath);
    return relativePath;
  }

  async discard(received: ReceivedFile): Promise<void> {
    await rm(received.incomingPath, { force: true });
  }

  /** Stores bytes made by the program (a purified image) the same way; returns path and hash. */
  async storeBytes(bytes: Uint8Array): Promise<{ relativePath: string; sha256: string }> {
    const sha256 = sha256Hex(bytes);
    const relativePath = this.relativePathOf(sha256);
    const finalPath = this.absolutePath(relativePath);
    if (await stat(finalPath).catch(() => undefined)) return { relativePath, sha256 };
    const incomingPath = join(this.root, INCOMING_FOLDER, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
    const handle = await open(incomingPath, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    await chmod(incomingPath, 0o444);
    await rename(incomingPath, finalPath);
    return { relativePath, sha256 };
  }

  /** The stored bytes and their SHA-256 as read now (the caller compares with the record). */
  async read(relativePath: string): Promise<{ bytes: Buffer; sha256: string }> {
    const bytes = await readFile(this.absolutePath(relativePath));
    return { bytes, sha256: sha256Hex(bytes) };
  }

  /** SHA-256 of a stored file, streamed (verification of a whole case must not load it all). */
  async hashStored(relativePath: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.absolutePath(relativePath), { highWaterMark: COPY_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
    }
    return hash.digest('hex');
  }

  /** Relative paths of every file in the store (for finding files no record names). */
  async *storedFiles(): AsyncGenerator<string> {
    const prefixes = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const prefix of prefixes.filter((entry) => entry.isDirectory() && entry.name !== INCOMING_FOLDER).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      for (const name of (await readdir(join(this.root, prefix.name))).sort()) yield `${EVIDENCE_FOLDER}/${prefix.name}/${name}`;
    }
  }
}
