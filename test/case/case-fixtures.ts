/** Temp folders with real photos, broken variants of them, and case folders, for the case tests. */
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';
import { photosDir, repoRoot } from '../support/shared-data.ts';

export { photosDir, repoRoot };

// Signing keys and checkpoint journals go to the examiner's configuration folder: keep the
// tests' own out of the real one (child processes inherit this too).
process.env.ACSR_HOME ??= mkdtempSync(join(tmpdir(), 'acsr-case-home-'));

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `acsr-case-${prefix}-`));
}

export async function removeTempDir(path: string): Promise<void> {
  // Evidence files are read-only; rm -rf removes them anyway (the folders stay writable).
  await rm(path, { recursive: true, force: true });
}

export async function photoNames(extension?: string): Promise<string[]> {
  return (await readdir(photosDir)).filter((name) => extension === undefined || name.endsWith(extension)).sort();
}

/** Copies the shared photos into `folder` (writable copies). */
export async function copyPhotos(folder: string, names?: readonly string[]): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const chosen = names ?? (await photoNames());
  for (const name of chosen) {
    await copyFile(join(photosDir, name), join(folder, name));
    await chmod(join(folder, name), 0o644);
  }
  return chosen.map((name) => join(folder, name));
}

/**
 * `copies` byte-distinct copies of each photo: a few bytes appended after the end of the image
 * data, which decoders ignore, so every copy is a different file of the same picture.
 */
export async function writeDistinctCopies(folder: string, copies: number, names?: readonly string[]): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  for (const name of names ?? (await photoNames())) {
    const bytes = await readFile(join(photosDir, name));
    for (let copy = 0; copy < copies; copy++) {
      const dot = name.lastIndexOf('.');
      const path = join(folder, `${name.slice(0, dot)}-${copy}${name.slice(dot)}`);
      await writeFile(path, Buffer.concat([bytes, Buffer.from(`copy ${copy}`)]));
      written.push(path);
    }
  }
  return written;
}

/** The near-copies of a photo that a PDQ hash list of the original must still match. */
export const NEAR_COPIES = ['q70', 'half', 'mirrored'] as const;
export type NearCopy = (typeof NEAR_COPIES)[number];

/** `<photo's stem>-<label>.jpg` for the re-encode, `.png` for the others; the label is the copy's name unless given. */
export function nearCopyName(photo: string, copy: NearCopy, label: string = copy): string {
  return `${photo.replace(/\.\w+$/, '')}-${label}.${copy === 'q70' ? 'jpg' : 'png'}`;
}

/**
 * Writes a shared photo's near-copies into `folder`: a JPEG q70 re-encode, a half-size PNG and a
 * left-right mirror PNG, named by `nearCopyName` with `label`'s label (index counts from 0).
 */
export async function writeNearCopies(folder: string, photo: string, label: (copy: NearCopy, index: number) => string = (copy) => copy): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const original = join(photosDir, photo);
  const { width } = await sharp(original).metadata();
  const files = NEAR_COPIES.map((copy, index) => join(folder, nearCopyName(photo, copy, label(copy, index))));
  await sharp(original).jpeg({ quality: 70 }).toFile(files[0]);
  await sharp(original)
    .resize({ width: Math.round(width! / 2) })
    .png()
    .toFile(files[1]);
  await sharp(original).flop().png().toFile(files[2]);
  return files;
}

/**
 * A real decompression bomb: a valid 1-bit greyscale PNG of width x height pixels, all black,
 * whose compressed size is a tiny fraction of what decoding it would take.
 */
export function decompressionBombPng(width: number, height: number): Buffer {
  const rowBytes = 1 + Math.ceil(width / 8);
  const raw = Buffer.alloc(rowBytes * height); // filter byte 0 and zero bits on every row
  const chunk = (type: string, data: Buffer) => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData) >>> 0);
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Runs `acsr` as a child process, as a shell script would. */
export function runAcsr(args: readonly string[], options: { uid?: number; gid?: number } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ACSR_DEBUG;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env,
    timeout: 120_000,
    ...options,
  });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, lastLine };
}

/** `acsr` from its sources through tsx, as the tests run it, or (installed) through bin/acsr.mjs, as a user's shell does. */
export function spawnAcsr(args: readonly string[], options: { installed?: boolean } = {}) {
  const entry = options.installed ? ['bin/acsr.mjs'] : ['--import', 'tsx', 'main/cli/acsr.ts'];
  return spawn(process.execPath, [...entry, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}
