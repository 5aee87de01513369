import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/run/port.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(repoRoot, 'dist', 'cli', 'main.js');

interface Child {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | string>;
  output(): string;
}

const children: Child[] = [];
let dir: string;

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist', 'state', 'lock.js'))) throw new Error('dist/ has no state lock: run `npm run build` first');
});
afterEach(async () => {
  // Only the processes this test started, by their own pid.
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await c.exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(stateDir: string, port: number): Child {
  const child = spawn(process.execPath, [CLI, 'run', '--demo', '--state-dir', stateDir, '--listen', `127.0.0.1:${port}`, '--log-level', 'info'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CLAWWARDEN_API_TOKEN: 'lock-test-token-1f2e3d' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (output += b.toString('utf8')));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
  const started: Child = { child, pid: child.pid!, exited, output: () => output };
  children.push(started);
  return started;
}

async function waitHealthy(port: number, c: Child): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (c.child.exitCode !== null) throw new Error(`clawwarden exited with ${c.child.exitCode}:\n${c.output().slice(-2000)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/healthz never answered on ${port}:\n${c.output().slice(-2000)}`);
}

async function journal(stateDir: string): Promise<{ seq: number; type: string; reason?: string }[]> {
  const text = await readFile(join(stateDir, 'journal.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { seq: number; type: string; reason?: string });
}

describe('clawwarden run: one daemon per state directory', () => {
  it('refuses a second daemon on the same state directory before it writes, and takes over after the first is killed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'clawwarden-lock-process-'));
    const stateDir = join(dir, 'state');
    const [p1, p2] = [await freePort(), await freePort()];

    const first = run(stateDir, p1);
    await waitHealthy(p1, first);
    const lockFile = join(stateDir, 'lock');
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: first.pid });

    // Its own port, so only the state directory is shared.
    const second = run(stateDir, p2);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(
      new RegExp(`state directory ${stateDir} is locked by clawwarden pid ${first.pid} \\(started [^)]+\\); is another clawwarden running\\? If not, remove ${lockFile}`),
    );
    expect(
      await fetch(`http://127.0.0.1:${p2}/healthz`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
    const entries = await journal(stateDir);
    expect(entries.filter((e) => e.type === 'config' && /^started/.test(e.reason ?? ''))).toHaveLength(1);
    const seqs = entries.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(first.child.exitCode).toBeNull();

    // kill -9 leaves the lock behind with a dead pid: the next daemon takes it over, with a warning.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(existsSync(lockFile)).toBe(true);
    const third = run(stateDir, p2);
    await waitHealthy(p2, third);
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: third.pid });
    expect(third.output()).toContain(`taking over the lock of ${stateDir} from clawwarden pid ${first.pid}`);
    const after = (await journal(stateDir)).map((e) => e.seq);
    expect(new Set(after).size).toBe(after.length);

    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 90_000);
});
