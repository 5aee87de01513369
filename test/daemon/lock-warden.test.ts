import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatConfigError, loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import { startWarden, type Warden } from '../../src/daemon/warden.js';
import { StateDirLockError } from '../../src/state/lock.js';

const FLEET = `sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
http: { listen: 127.0.0.1:0 }
`;

let dir: string;
let config: Config;
const running: Warden[] = [];
const log = pino({ level: 'silent' });
const options = { log, version: 'test', processMetrics: false } as const;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawwarden-lock-warden-'));
  await writeFile(join(dir, 'clawwarden.yaml'), `stateDir: ${join(dir, 'state')}\n${FLEET}`);
  const loaded = loadConfig({ file: join(dir, 'clawwarden.yaml'), cwd: dir, env: {} });
  if (!loaded.config) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
  config = loaded.config;
});
afterEach(async () => {
  for (const w of running.splice(0)) await w.close();
  await rm(dir, { recursive: true, force: true });
});

const journalLines = async (): Promise<{ seq: number; reason?: string }[]> =>
  (await readFile(join(config.stateDir, 'journal.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { seq: number; reason?: string });

describe('startWarden locks the state directory', () => {
  it('refuses a second warden on the same state directory before it writes anything, naming the first', async () => {
    const first = await startWarden(config, options);
    running.push(first);
    expect((await stat(config.stateDir)).mode & 0o777).toBe(0o700);
    const before = await readFile(join(config.stateDir, 'journal.jsonl'), 'utf8');

    const error = await startWarden(config, options).then(
      (w) => (running.push(w), undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateDirLockError);
    expect(error).toMatchObject({ code: 'STATE_DIR_LOCKED', message: expect.stringContaining(`is locked by clawwarden pid ${process.pid} (started `) as unknown });
    expect(await readFile(join(config.stateDir, 'journal.jsonl'), 'utf8')).toBe(before);
    const seqs = (await journalLines()).map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);

    await running.pop()!.close();
    expect(existsSync(join(config.stateDir, 'lock'))).toBe(false);
    // Released: the directory can be opened again, and the journal goes on from where it was.
    running.push(await startWarden(config, options));
    const started = (await journalLines()).filter((e) => /^started/.test(e.reason ?? ''));
    expect(started).toHaveLength(2);
    expect(started[1]!.seq).toBeGreaterThan(started[0]!.seq);
  });

  it('releases the lock when the start fails after taking it (the port is taken)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(startWarden({ ...config, http: { ...config.http, listen: `127.0.0.1:${port}` } }, options)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(existsSync(join(config.stateDir, 'lock'))).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    running.push(await startWarden(config, options));
  });
});
