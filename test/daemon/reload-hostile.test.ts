import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/run/port.js';

// The hardening issue: a secret `{ file: … }` pointing at /dev/zero, a FIFO or a huge file froze the running daemon
// on SIGHUP (RSS 1.9 GB, /healthz silent, SIGTERM ignored). A reload must be refused with the reason, never block.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(repoRoot, 'dist', 'cli', 'main.js');

let dir: string;
let child: ChildProcess | undefined;
let exited: Promise<number | string> | undefined;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first');
});
afterEach(async () => {
  // Only the process this test started, by its own pid.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const config = (port: number, notifier = ''): string => `sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
stateDir: state
http: { listen: "127.0.0.1:${port}" }
${notifier}policies:
  - name: cap
    when: { tokens.total: "> 10M" }
    do: [stop]
`;

async function eventually<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SIGHUP with a hostile secret file', () => {
  it.each([
    ['/dev/zero', async () => '/dev/zero', /is not a regular file/],
    [
      'a FIFO nobody writes to',
      async () => {
        const fifo = join(dir, 'fifo');
        execFileSync('mkfifo', [fifo]);
        return fifo;
      },
      /is not a regular file/,
    ],
    [
      'a 20 MB file',
      async () => {
        const big = join(dir, 'big');
        await writeFile(big, Buffer.alloc(20 * 1024 * 1024, 0x61));
        return big;
      },
      /larger than 64 KiB|64 KiB/,
    ],
  ])(
    '%s: the reload is refused with the reason, the daemon keeps answering and stops on SIGTERM',
    async (_name, make, reason) => {
      dir = await mkdtemp(join(tmpdir(), 'cw-reload-'));
      const port = await freePort();
      const file = join(dir, 'clawwarden.yaml');
      await writeFile(file, config(port));
      child = spawn(process.execPath, [CLI, 'run', '--config', file, '--log-level', 'info'], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
      child.stderr?.on('data', (b: Buffer) => (out += b.toString('utf8')));
      exited = new Promise((r) => child!.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
      await eventually('/healthz', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200 ? true : undefined));

      const path = await make();
      await writeFile(file, config(port, `notifiers:\n  hook: { type: webhook, url: { file: ${JSON.stringify(path)} } }\n`));
      child.kill('SIGHUP');
      const line = await eventually('the reload to be rejected', () => out.split('\n').find((l) => l.includes('reload rejected')));
      expect(line).toContain(path);
      expect(line).toMatch(reason);
      // Still answering, still small, and the old config still loaded.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const rss = Number((await readFile(`/proc/${child.pid}/status`, 'utf8')).match(/VmRSS:\s+(\d+) kB/)?.[1]) * 1024;
      expect(rss).toBeLessThan(400 * 1024 * 1024);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    60_000,
  );
});
