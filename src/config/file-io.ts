import { FILE_READ_TIMEOUT_MS, formatBytes } from './limits.js';

/** What a file system path is; `missing` when it does not exist (or cannot be looked at). */
export type FileKind = 'file' | 'directory' | 'fifo' | 'character device' | 'block device' | 'socket' | 'symbolic link' | 'missing';

/** Why a file could not be read as text. */
export type ReadProblem =
  | { readonly reason: 'not-regular'; readonly kind: FileKind }
  | { readonly reason: 'too-large'; readonly size: number; readonly limit: number }
  | { readonly reason: 'timeout'; readonly ms: number }
  | { readonly reason: 'error'; readonly code: string };

/** A file's text, or why there is none. */
export type ReadOutcome = { readonly text: string } | { readonly problem: ReadProblem };

/** One file system request of the config loader; the loader is written as a generator of these so one body serves a sync and an async runner. */
export type FileOp = { readonly op: 'read'; readonly path: string; readonly limit: number } | { readonly op: 'kind'; readonly path: string } | { readonly op: 'list'; readonly dir: string };

/** The answer to a FileOp: a ReadOutcome to `read`, a FileKind to `kind`, the entry names to `list`. */
export type FileAnswer = ReadOutcome | FileKind | readonly string[];

/** Work that needs files: yields FileOps, is resumed with their answers, returns T. */
export type FileWork<T> = Generator<FileOp, T, FileAnswer>;

/** The file system answering FileOps synchronously. */
export interface SyncFiles {
  read(path: string, limit: number): ReadOutcome;
  kind(path: string): FileKind;
  list(dir: string): readonly string[];
}

/** The file system answering FileOps with promises. */
export interface AsyncFiles {
  read(path: string, limit: number): Promise<ReadOutcome>;
  kind(path: string): Promise<FileKind>;
  list(dir: string): Promise<readonly string[]>;
}

/** Reads a regular file of at most `limit` bytes as UTF-8. */
export function* readText(path: string, limit: number): FileWork<ReadOutcome> {
  return (yield { op: 'read', path, limit }) as ReadOutcome;
}

/** What `path` is (symbolic links followed). */
export function* kindOf(path: string): FileWork<FileKind> {
  return (yield { op: 'kind', path }) as FileKind;
}

/** The names in a directory; empty when it cannot be listed. */
export function* listDir(dir: string): FileWork<readonly string[]> {
  return (yield { op: 'list', dir }) as readonly string[];
}

/** Runs `work` answering each request synchronously. */
export function runSync<T>(work: FileWork<T>, files: SyncFiles): T {
  let step = work.next();
  while (!step.done) step = work.next(answerSync(step.value, files));
  return step.value;
}

/**
 * Runs `work` answering each request with a promise, so the event loop is never held by a file. A request not answered
 * within `timeoutMs` counts as failed (a read as `timeout`, a lookup as missing); it then finishes unobserved.
 */
export async function runAsync<T>(work: FileWork<T>, files: AsyncFiles, timeoutMs: number = FILE_READ_TIMEOUT_MS): Promise<T> {
  let step = work.next();
  while (!step.done) {
    const op = step.value;
    step = work.next(await within(answerAsync(op, files), timeoutMs, () => late(op, timeoutMs)));
  }
  return step.value;
}

function answerSync(op: FileOp, files: SyncFiles): FileAnswer {
  if (op.op === 'read') return files.read(op.path, op.limit);
  if (op.op === 'kind') return files.kind(op.path);
  return files.list(op.dir);
}

function answerAsync(op: FileOp, files: AsyncFiles): Promise<FileAnswer> {
  if (op.op === 'read') return files.read(op.path, op.limit);
  if (op.op === 'kind') return files.kind(op.path);
  return files.list(op.dir);
}

function late(op: FileOp, ms: number): FileAnswer {
  if (op.op === 'read') return { problem: { reason: 'timeout', ms } };
  return op.op === 'kind' ? 'missing' : [];
}

async function within<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `secret file /dev/zero is not a regular file (character device)`; `what` names the file's role and path. */
export function describeReadProblem(what: string, problem: ReadProblem): string {
  switch (problem.reason) {
    case 'not-regular':
      return `${what} is not a regular file (${problem.kind})`;
    case 'too-large':
      return `${what} is larger than ${formatBytes(problem.limit)} (${formatBytes(problem.size)})`;
    case 'timeout':
      return `${what} could not be read within ${problem.ms / 1000} s`;
    case 'error':
      return problem.code === 'ENOENT' ? `cannot read ${what}: it does not exist (ENOENT)` : `cannot read ${what} (${problem.code})`;
  }
}
