import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { FileNotFoundError, LocalFileStorage, storageKeySegments } from './file-storage.js';

let root: string;
let storage: LocalFileStorage;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kit-files-'));
  storage = new LocalFileStorage(root);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A stream that yields its chunks, then fails instead of ending. */
function failingAfter(chunks: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) yield await Promise.resolve(chunk);
      throw new Error('source broke');
    })(),
  );
}

describe('LocalFileStorage', () => {
  it('writes, reads, checks and removes a file under its key', async () => {
    const key = 'exports/acct/one.csv';
    expect(await storage.exists(key)).toBe(false);
    expect(await storage.write(key, Readable.from(['a,b\n', '1,2\n']))).toEqual({ bytes: 8 });
    expect(await storage.exists(key)).toBe(true);
    expect(await text(await storage.read(key))).toBe('a,b\n1,2\n');
    expect(await readFile(join(root, 'exports', 'acct', 'one.csv'), 'utf8')).toBe('a,b\n1,2\n');
    await storage.remove(key);
    await storage.remove(key);
    expect(await storage.exists(key)).toBe(false);
    await expect(storage.read(key)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('keeps the previous file and leaves no temp file when a write fails halfway', async () => {
    const key = 'exports/acct/two.csv';
    await storage.write(key, Readable.from(['old']));
    await expect(storage.write(key, failingAfter(['new, but', ' only half']))).rejects.toThrow(
      'source broke',
    );
    expect(await text(await storage.read(key))).toBe('old');
    expect(await readdir(join(root, 'exports', 'acct'))).toEqual(['two.csv']);
  });

  it.each([
    '../escape.csv',
    'exports/../../escape.csv',
    '/etc/passwd',
    'exports//double.csv',
    'exports/./dot.csv',
    'exports\\windows.csv',
    '.hidden',
    'exports/',
    '',
    'exports/ü.csv',
    'exports/a b.csv',
  ])('refuses the key %j', async (key) => {
    expect(() => storageKeySegments(key)).toThrow('Invalid storage key');
    await expect(storage.write(key, Readable.from(['x']))).rejects.toThrow('Invalid storage key');
    await expect(storage.exists(key)).rejects.toThrow('Invalid storage key');
  });
});
