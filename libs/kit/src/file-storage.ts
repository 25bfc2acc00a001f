import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where services keep files they produce (CSV exports) for someone else to fetch later. Keys are
 * relative, `/`-separated paths such as `exports/<accountId>/<exportId>.csv`; a key with `..`, an
 * absolute path, a backslash or any character outside `A-Z a-z 0-9 . _ -` in a segment is refused.
 */
export interface FileStorage {
  /** Stores everything the stream yields under the key, replacing a file there only once all of it is written. */
  write(key: string, content: Readable): Promise<{ bytes: number }>;
  /** The stored file as a stream; `FileNotFoundError` when there is none. */
  read(key: string): Promise<Readable>;
  /** Removes the file; a missing file is not an error. */
  remove(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export class FileNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No stored file ${key}`);
    this.name = 'FileNotFoundError';
  }
}

const segment = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Checks a storage key and returns its segments; throws on anything that could leave the root. */
export function storageKeySegments(key: string): string[] {
  const segments = typeof key === 'string' && key.length <= 1_000 ? key.split('/') : [];
  // A leading dot is refused too, so `.` and `..` (and hidden temp files) can never be named.
  if (segments.length === 0 || !segments.every((part) => segment.test(part)))
    throw new Error(`Invalid storage key ${JSON.stringify(key)}`);
  return segments;
}

/** Files under one directory on the local disk (or a mounted volume shared by the replicas). */
export class LocalFileStorage implements FileStorage {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
  }

  /** The absolute path of a key, always inside the root. */
  pathOf(key: string): string {
    const path = join(this.root, ...storageKeySegments(key));
    if (!path.startsWith(this.root + sep)) throw new Error(`Invalid storage key ${JSON.stringify(key)}`);
    return path;
  }

  async write(key: string, content: Readable): Promise<{ bytes: number }> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // A hidden temp file beside the target, renamed over it once complete and flushed to disk: a reader
    // sees the old file or the new one, never half of one, and a failed write leaves the old one.
    const temp = join(dirname(path), `.${randomUUID()}.tmp`);
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true });
    try {
      await pipeline(content, out);
      await rename(temp, path);
      return { bytes: out.bytesWritten };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async read(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      // Opened here, so a missing file fails this call rather than the stream later.
      const file = await open(path, 'r');
      return file.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(key);
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}
