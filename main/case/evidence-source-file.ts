/**
 * One evidence source, opened once and read only through that descriptor. The folder scan decided
 * what each path was, but anything can be put at that path afterwards: a FIFO (whose plain open
 * blocks until a writer appears: forever), a device, a symbolic link, a file of another size. So
 * the path is opened exactly once, non-blocking, and the descriptor, not the path, is checked
 * (fstat) and read; a reader that stalls (a dead network share) is given up on after a timeout
 * instead of holding the import.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { throwIfCancelled } from '../progress/progress.ts';
import { displayPath } from './display-path.ts';
import { describeFileError, ImportFileError } from './file-errors.ts';
import { imageSignature, SIGNATURE_BYTES } from './image-signature.ts';

/** Without a single byte for this long, a read is abandoned. */
export const DEFAULT_READ_TIMEOUT_MS = 60_000;

export interface SourceLimits {
  /** Larger files are refused before anything is copied. */
  maxBytes: number;
  /** Why maxBytes is what it is, for the refusal ("free on the case's disk"...). */
  maxBytesReason: string;
  readTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface OpenedSource {
  handle: FileHandle;
  sizeBytes: number;
}

/**
 * Opens `path` for reading (never following a link unless `followLinks`), and refuses it unless
 * the descriptor is a regular file, non-empty, within `limits.maxBytes`, and starting like an image
 * of a supported format. The caller reads the rest through `readChunks` and closes the handle.
 */
export async function openEvidenceSource(path: string, followLinks: boolean, limits: SourceLimits): Promise<OpenedSource> {
  const shown = displayPath(path);
  // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer. It
  // changes nothing for the regular files that are read afterwards.
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (followLinks ? 0 : constants.O_NOFOLLOW);
  let handle: FileHandle;
  try {
    handle = await open(path, flags);
  } catch (error) {
    throw describeFileError(error, path);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new ImportFileError(
        'not-a-regular-file',
        `${shown}: became something other than a regular file (a FIFO, device or socket) after the folder was scanned: not read`,
      );
    }
    if (info.size === 0) throw new ImportFileError('empty-file', `${shown}: file is empty (0 bytes)`);
    const head = Buffer.alloc(Math.min(SIGNATURE_BYTES, info.size));
    await withTimeout(handle.read(head, 0, head.length, 0), path, limits.readTimeoutMs);
    const verdict = imageSignature(head);
    if (verdict.kind === 'unsupported') {
      throw new ImportFileError('unsupported-format', `${shown}: unsupported image format '${verdict.format}' (supported: PNG, JPEG, WebP, TIFF): not copied`);
    }
    if (verdict.kind === 'unknown') {
      throw new ImportFileError('not-an-image', `${shown}: not a recognised image file (supported: PNG, JPEG, WebP, TIFF)`);
    }
    if (info.size > limits.maxBytes) {
      const allocated = info.blocks * 512;
      const sparse = allocated < info.size / 2 ? `, of which only ${describeBytes(allocated)} is on disk (a sparse file)` : '';
      throw new ImportFileError(
        'too-large',
        `${shown}: file is ${describeBytes(info.size)}${sparse}, more than the ${describeBytes(limits.maxBytes)} ${limits.maxBytesReason}: not copied`,
      );
    }
    return { handle, sizeBytes: info.size };
  } catch (error) {
    void handle.close().catch(() => {});
    throw error;
  }
}

/**
 * The file's bytes in order, through the descriptor (positioned reads, so nothing else moves the
 * offset). Stops with a refusal when the file grows past the limit while being read.
 */
export async function* readChunks(opened: OpenedSource, path: string, limits: SourceLimits, chunkBytes: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let position = 0;
  for (;;) {
    throwIfCancelled(limits.signal);
    const { bytesRead } = await withTimeout(opened.handle.read(buffer, 0, chunkBytes, position), path, limits.readTimeoutMs);
    if (bytesRead === 0) return;
    position += bytesRead;
    if (position > limits.maxBytes) {
      throw new ImportFileError(
        'too-large',
        `${displayPath(path)}: grew past the ${describeBytes(limits.maxBytes)} ${limits.maxBytesReason} while being read: not imported`,
      );
    }
    // The consumer is done with a chunk before asking for the next, so the buffer is reused.
    yield buffer.subarray(0, bytesRead);
  }
}

async function withTimeout<T>(operation: Promise<T>, path: string, timeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ImportFileError(
            'read-error',
            `${displayPath(path)}: no data for ${Math.round(timeoutMs / 1000)} s while reading (a stalled network share or drive?): not imported`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([operation, timeout]);
  } catch (error) {
    throw describeFileError(error, path);
  } finally {
    clearTimeout(timer);
  }
}

export function describeBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
