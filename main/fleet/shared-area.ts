/**
 * The shared location that the workstation and every worker mount (a network file system or a
 * volume): evidence and outputs in content-addressed folders, bundles by manifest SHA-256.
 *
 *   DIR/evidence/ab/<sha256>          copies of evidence, published by the workstation
 *   DIR/bundles/<manifest sha256>/    reference bundles, published by the workstation
 *   DIR/results/ab/<sha256>           purified outputs and their parts, written by workers
 *
 * Nothing here is trusted because of where it lies: a worker hashes the evidence it reads and
 * the bundle loader checks every bundle file against its manifest; the workstation hashes every
 * output before it records it. Files are written whole (temporary name, then rename) and
 * read-only, so a reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../io/hashing.ts';

export class ContentFolder {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pathOf(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return (await stat(this.pathOf(sha256)).catch(() => undefined)) !== undefined;
  }

  /** Writes the bytes under their own SHA-256 unless they are there already; returns the hash. */
  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = sha256Hex(bytes);
    const finalPath = this.pathOf(sha256);
    // A file already there is kept only if it still holds these bytes: a damaged one is replaced.
    const existing = await readFile(finalPath).catch(() => undefined);
    if (existing && sha256Hex(existing) === sha256) return sha256;
    await mkdir(dirname(finalPath), { recursive: true });
    const temporary = `${finalPath}.${process.pid}-${randomBytes(6).toString('hex')}.part`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temporary, 0o444);
    await rename(temporary, finalPath);
    return sha256;
  }

  /** The bytes stored under this hash and the hash they have now (the caller compares). */
  async read(sha256: string): Promise<{ bytes: Buffer; actualSha256: string }> {
    const bytes = await readFile(this.pathOf(sha256));
    return { bytes, actualSha256: sha256Hex(bytes) };
  }
}

export class SharedArea {
  readonly root: string;
  readonly evidence: ContentFolder;
  readonly results: ContentFolder;

  constructor(root: string) {
    this.root = root;
    this.evidence = new ContentFolder(join(root, 'evidence'));
    this.results = new ContentFolder(join(root, 'results'));
  }

  bundlePath(manifestSha256: string): string {
    return join(this.root, 'bundles', manifestSha256);
  }

  /**
   * Copies a bundle (its manifest and every file it lists) under its manifest's SHA-256, unless
   * a complete copy is there; the copy is assembled beside and renamed in, whole or not at all.
   */
  async publishBundle(bundlePath: string, manifestSha256: string, files: readonly string[]): Promise<string> {
    const target = this.bundlePath(manifestSha256);
    const manifest = await readFile(join(target, 'manifest.json')).catch(() => undefined);
    if (manifest && sha256Hex(manifest) === manifestSha256) return target;
    const assembling = `${target}.${process.pid}-${randomBytes(6).toString('hex')}.part`;
    await mkdir(assembling, { recursive: true });
    try {
      for (const file of ['manifest.json', ...files]) {
        await mkdir(dirname(join(assembling, file)), { recursive: true });
        await copyFile(join(bundlePath, file), join(assembling, file));
      }
      await rm(target, { recursive: true, force: true });
      await rename(assembling, target);
    } catch (error) {
      await rm(assembling, { recursive: true, force: true });
      // another workstation may have published the same bundle at the same moment
      const published = await readFile(join(target, 'manifest.json')).catch(() => undefined);
      if (published && sha256Hex(published) === manifestSha256) return target;
      throw error;
    }
    return target;
  }
}
