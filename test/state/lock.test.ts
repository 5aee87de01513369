import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateDirLock, StateDirLockError, type LockHolder } from '../../src/state/lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawwarden-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid that was alive a moment ago and is not any more (a child that has exited and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const bootIdFile = '/proc/sys/kernel/random/boot_id';

function warnings(): { lines: { obj: object; msg?: string }[]; warn: (obj: object, msg?: string) => void } {
  const lines: { obj: object; msg?: string }[] = [];
  return { lines, warn: (obj, msg) => void lines.push({ obj, ...(msg !== undefined ? { msg } : {}) }) };
}

async function writeHolder(holder: Partial<LockHolder> & { pid: number }): Promise<void> {
  await writeFile(join(dir, 'lock'), JSON.stringify({ hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', ...holder }));
}

async function holderOnDisk(): Promise<LockHolder> {
  return JSON.parse(await readFile(join(dir, 'lock'), 'utf8')) as LockHolder;
}

describe('StateDirLock', () => {
  it('writes pid, hostname and start time into stateDir/lock, readable by the owner only, and removes it on release', async () => {
    const lock = await StateDirLock.acquire(dir);
    const onDisk = await holderOnDisk();
    expect(onDisk).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Date.now() - Date.parse(onDisk.startedAt)).toBeLessThan(10_000);
    expect((await stat(join(dir, 'lock'))).mode & 0o777).toBe(0o600);
    await lock.release();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    await lock.release();
  });

  it('refuses a second acquire while the first holds it, naming the holder and the file to remove', async () => {
    const first = await StateDirLock.acquire(dir);
    const error = await StateDirLock.acquire(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateDirLockError);
    expect(error).toMatchObject({ code: 'STATE_DIR_LOCKED', file: join(dir, 'lock'), holder: { pid: process.pid, hostname: hostname() } });
    const { startedAt } = await holderOnDisk();
    expect((error as Error).message).toBe(
      `state directory ${dir} is locked by clawwarden pid ${process.pid} (started ${startedAt}); is another clawwarden running? If not, remove ${join(dir, 'lock')}`,
    );
    // The refused acquire left the holder's file alone.
    expect((await holderOnDisk()).startedAt).toBe(startedAt);
    await first.release();
    const again = await StateDirLock.acquire(dir);
    await again.release();
  });

  it('takes over a lock whose pid is dead on this host, with a warning naming it', async () => {
    const dead = deadPid();
    await writeHolder({ pid: dead });
    const log = warnings();
    const lock = await StateDirLock.acquire(dir, { log });
    expect((await holderOnDisk()).pid).toBe(process.pid);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]!.msg).toBe(`taking over the lock of ${dir} from clawwarden pid ${dead} (started 2026-01-01T00:00:00.000Z), which is no longer running`);
    await lock.release();
  });

  it('takes over a lock from an earlier boot even when its pid is alive now', async () => {
    if (!existsSync(bootIdFile)) return;
    await writeHolder({ pid: process.ppid, bootId: '00000000-0000-0000-0000-000000000000' });
    const lock = await StateDirLock.acquire(dir, { log: warnings() });
    expect((await holderOnDisk()).pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over its own pid when the lock predates this process (a container pid 1 restarting)', async () => {
    await writeHolder({ pid: process.pid, startedAt: new Date(Date.now() - process.uptime() * 1000 - 60_000).toISOString() });
    const lock = await StateDirLock.acquire(dir, { log: warnings() });
    expect(Date.parse((await holderOnDisk()).startedAt)).toBeGreaterThan(Date.now() - 10_000);
    await lock.release();
  });

  it('never judges a holder on another host: the pid there cannot be checked from here', async () => {
    await writeHolder({ pid: deadPid(), hostname: 'warden-b.example' });
    await expect(StateDirLock.acquire(dir)).rejects.toMatchObject({ code: 'STATE_DIR_LOCKED', message: expect.stringContaining('on host warden-b.example') as unknown });
  });

  it('refuses a lock file that names no holder, saying which file to remove', async () => {
    await writeFile(join(dir, 'lock'), '');
    await expect(StateDirLock.acquire(dir)).rejects.toMatchObject({ code: 'LOCK_UNREADABLE', message: expect.stringContaining(`remove ${join(dir, 'lock')}`) as unknown });
  });

  it('lets exactly one of several concurrent acquirers take over a stale lock', async () => {
    await writeHolder({ pid: deadPid() });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => StateDirLock.acquire(dir, { log: warnings() })));
    const won = results.filter((r): r is PromiseFulfilledResult<StateDirLock> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StateDirLockError);
    expect(await holderOnDisk()).toEqual(won[0]!.value.holder);
    await won[0]!.value.release();
  });

  it('does not remove a lock that is no longer its own on release', async () => {
    const lock = await StateDirLock.acquire(dir);
    await writeHolder({ pid: process.ppid, startedAt: '2026-02-02T00:00:00.000Z' });
    await lock.release();
    expect((await holderOnDisk()).startedAt).toBe('2026-02-02T00:00:00.000Z');
  });
});
