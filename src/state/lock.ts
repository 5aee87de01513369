import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock file's name inside the state directory. */
export const LOCK_FILE = 'lock';

/** Who holds a state directory, as written (JSON) into `stateDir/lock`. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO time the holder took the lock. */
  readonly startedAt: string;
  /** Linux boot id: a holder from an earlier boot is gone even if its pid has been reused since. */
  readonly bootId?: string;
}

/** `STATE_DIR_LOCKED`: a live clawwarden holds it. `LOCK_UNREADABLE`: the lock file exists but says nothing usable. `LOCK_FAILED`: I/O error. */
export type StateDirLockCode = 'STATE_DIR_LOCKED' | 'LOCK_UNREADABLE' | 'LOCK_FAILED';

/** Why a state directory could not be locked; the message names the holder and what to do. */
export class StateDirLockError extends Error {
  constructor(
    readonly code: StateDirLockCode,
    message: string,
    readonly file: string,
    readonly holder?: LockHolder,
  ) {
    super(message);
    this.name = 'StateDirLockError';
  }
}

/** Where a lock taken over from a dead holder is reported. */
export interface LockLog {
  warn(o: object, msg?: string): void;
}

/** Attempts at creating the lock file when stale ones keep getting in the way (another daemon taking over at the same moment). */
const ATTEMPTS = 20;

/** A takeover guard this old was left by a process that died mid-takeover (a takeover takes milliseconds). */
const ABANDONED_GUARD_MS = 10_000;

/**
 * One daemon per state directory: `stateDir/lock`, created with O_EXCL and holding the owner's pid, host and start
 * time. A lock whose pid is dead on this host (or that dates from an earlier boot) is taken over with a warning.
 */
export class StateDirLock {
  #released = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {}

  /** Takes the lock on `dir` (which must exist); a `StateDirLockError` when a live process holds it or the file is unusable. */
  static async acquire(dir: string, options: { readonly log?: LockLog } = {}): Promise<StateDirLock> {
    const file = join(dir, LOCK_FILE);
    // Wall time, never a daemon's test clock: it is compared with this process's own start below.
    const me: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), ...optionalBootId(await bootId()) };
    let warned = false;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await create(file, me)) return new StateDirLock(file, me);
      const holder = await readHolder(file);
      if (holder === 'gone') continue;
      if (holder === undefined) {
        throw new StateDirLockError('LOCK_UNREADABLE', `state directory ${dir} has a lock file that names no holder; if no clawwarden is running, remove ${file}`, file);
      }
      if (!isStale(holder, me)) {
        throw new StateDirLockError('STATE_DIR_LOCKED', `state directory ${dir} is locked by ${describe(holder, me)}; is another clawwarden running? If not, remove ${file}`, file, holder);
      }
      if (!warned) options.log?.warn({ file, holder }, `taking over the lock of ${dir} from ${describe(holder, me)}, which is no longer running`);
      warned = true;
      await removeStale(file, holder);
    }
    throw new StateDirLockError('LOCK_FAILED', `could not lock state directory ${dir}: ${file} kept reappearing; is another clawwarden starting at the same time?`, file);
  }

  /** Removes the lock file if it is still this holder's; safe to call more than once. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const current = await readHolder(this.file);
    // Someone removed ours and took it (an operator following the message); theirs is not ours to remove.
    if (typeof current === 'object' && !sameHolder(current, this.holder)) return;
    await unlink(this.file).catch(ignoreMissing);
  }
}

/** Creates the lock file with O_EXCL; false when one exists. */
async function create(file: string, me: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateDirLockError('LOCK_FAILED', `cannot create ${file}: ${(error as Error).message}`, file);
  }
  try {
    await handle.writeFile(`${JSON.stringify(me)}\n`);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw new StateDirLockError('LOCK_FAILED', `cannot write ${file}: ${(error as Error).message}`, file);
  }
  await handle.close();
  return true;
}

/** The holder named in the lock file; 'gone' when there is no file; undefined when it names no one. */
async function readHolder(file: string): Promise<LockHolder | 'gone' | undefined> {
  // A holder that has just created the file may not have written it yet: look again briefly before calling it empty.
  for (let look = 0; look < 5; look++) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw new StateDirLockError('LOCK_FAILED', `cannot read ${file}: ${(error as Error).message}`, file);
    }
    const holder = parseHolder(text);
    if (holder !== undefined) return holder;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (typeof value?.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0 || typeof value.hostname !== 'string' || typeof value.startedAt !== 'string') return undefined;
    return { pid: value.pid, hostname: value.hostname, startedAt: value.startedAt, ...optionalBootId(typeof value.bootId === 'string' ? value.bootId : undefined) };
  } catch {
    return undefined;
  }
}

/** Stale: on this host, and either from an earlier boot or its pid is not alive. A holder on another host is never judged. */
function isStale(holder: LockHolder, me: LockHolder): boolean {
  if (holder.hostname !== me.hostname) return false;
  if (holder.bootId !== undefined && me.bootId !== undefined && holder.bootId !== me.bootId) return true;
  if (holder.pid === process.pid) {
    // Our own pid: a lock taken in this process is live; one from before this process started is a previous
    // incarnation that got the same pid (a container's pid 1 restarting), and is stale.
    const processStart = Date.now() - process.uptime() * 1000;
    return Date.parse(holder.startedAt) < processStart - 1_000;
  }
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the pid is alive but belongs to another user; only ESRCH proves it gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the lock judged stale, if it still is: under a guard file (O_EXCL) so two daemons taking over at once cannot
 * each remove the other's fresh lock. Returns without removing anything when another takeover is in progress.
 */
async function removeStale(file: string, stale: LockHolder): Promise<void> {
  const guard = `${file}.takeover`;
  if (!(await createGuard(guard))) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    return;
  }
  try {
    // Only a guard holder removes a lock, and a new one is only created where none exists: what is read here stays until unlinked.
    const current = await readHolder(file);
    if (typeof current === 'object' && sameHolder(current, stale)) await unlink(file).catch(ignoreMissing);
  } finally {
    await unlink(guard).catch(ignoreMissing);
  }
}

/** Creates the takeover guard; false when another holds it. A guard left by a crash mid-takeover is cleared once it is old. */
async function createGuard(guard: string): Promise<boolean> {
  try {
    await (await open(guard, 'wx', 0o600)).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateDirLockError('LOCK_FAILED', `cannot create ${guard}: ${(error as Error).message}`, guard);
  }
  const age = await stat(guard).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  if (age > ABANDONED_GUARD_MS) await unlink(guard).catch(ignoreMissing);
  return false;
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt;
}

function describe(holder: LockHolder, me: LockHolder): string {
  return `clawwarden pid ${holder.pid}${holder.hostname !== me.hostname ? ` on host ${holder.hostname}` : ''} (started ${holder.startedAt})`;
}

async function bootId(): Promise<string | undefined> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

function optionalBootId(id: string | undefined): { bootId?: string } {
  return id === undefined ? {} : { bootId: id };
}
