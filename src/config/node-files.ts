import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, statSync, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import type { AsyncFiles, FileKind, ReadOutcome, SyncFiles } from './file-io.js';

// O_NONBLOCK: opening a FIFO for reading never waits for a writer; it is then refused as not a regular file.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** The real file system, synchronously: regular files only, size-capped. For one-shot commands and callers that cannot await. */
export const syncFiles: SyncFiles = {
  read(path, limit) {
    const before = check(() => statSync(path), limit);
    if (before) return before;
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch (error) {
      return failed(error);
    }
    try {
      const refused = check(() => fstatSync(fd), limit);
      if (refused) return refused;
      const buffer = Buffer.alloc(limit + 1);
      let length = 0;
      for (;;) {
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
        if (length > limit) return { problem: { reason: 'too-large', size: length, limit } };
      }
      return { text: buffer.toString('utf8', 0, length) };
    } catch (error) {
      return failed(error);
    } finally {
      closeSync(fd);
    }
  },
  kind(path) {
    try {
      return kindOfStats(statSync(path));
    } catch {
      return 'missing';
    }
  },
  list(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/** The real file system with promises: regular files only, size-capped (runAsync gives each request up after a timeout). */
export const asyncFiles: AsyncFiles = {
  read: (path, limit) => readAsync(path, limit),
  kind: (path) => stat(path).then(kindOfStats, () => 'missing' as const),
  list: (dir) => readdir(dir).catch(() => []),
};

async function readAsync(path: string, limit: number): Promise<ReadOutcome> {
  let before: Stats;
  try {
    before = await stat(path);
  } catch (error) {
    return failed(error);
  }
  const refused = check(() => before, limit);
  if (refused) return refused;
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    return failed(error);
  }
  try {
    const opened = await handle.stat();
    const again = check(() => opened, limit);
    if (again) return again;
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limit) return { problem: { reason: 'too-large', size: length, limit } };
    }
    return { text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return failed(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A refusal when the stats are not of a regular file within the limit; undefined when reading may go on. */
function check(stats: () => Stats, limit: number): ReadOutcome | undefined {
  let s: Stats;
  try {
    s = stats();
  } catch (error) {
    return failed(error);
  }
  if (!s.isFile()) return { problem: { reason: 'not-regular', kind: kindOfStats(s) } };
  if (s.size > limit) return { problem: { reason: 'too-large', size: s.size, limit } };
  return undefined;
}

function kindOfStats(s: Stats): FileKind {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  if (s.isFIFO()) return 'fifo';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  if (s.isSocket()) return 'socket';
  return 'symbolic link';
}

function failed(error: unknown): ReadOutcome {
  return { problem: { reason: 'error', code: (error as NodeJS.ErrnoException).code ?? (error as Error).message } };
}
