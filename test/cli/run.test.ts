import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseRunArgs } from '../../src/cli/run/args.js';
import { runToken } from '../../src/cli/run/overrides.js';
import { loadConfig } from '../../src/config/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd: tmpdir() });
  return { code, stdout, stderr };
}

describe('run flags', () => {
  it.each([
    [['--demo', '--speed', '0'], /--speed "0": expected a number above 0/],
    [['--speed', '2'], /--speed paces the demo fleet; it needs --demo/],
    [['--demo', '--listen', '9464'], /--listen "9464": expected HOST:PORT/],
    [['--demo', '--api-token', 'short'], /--api-token: too short/],
    [['--demo', '--config', 'x.yaml'], /--demo and --config are exclusive/],
  ])('%j is a usage error', async (argv, message) => {
    const { code, stderr } = await cli(['run', ...argv]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('takes the demo token from --api-token, else CLAWWARDEN_API_TOKEN, else makes one', () => {
    const config = loadConfig({ demo: true, cwd: '/nonexistent', env: {} }).config!;
    expect(runToken(parseRunArgs(['--demo', '--api-token', 'flag-token-1']), config, { CLAWWARDEN_API_TOKEN: 'env-token-1' })).toMatchObject({ origin: 'flag' });
    const fromEnv = runToken(parseRunArgs(['--demo']), config, { CLAWWARDEN_API_TOKEN: 'env-token-1' });
    expect([fromEnv.origin, fromEnv.secret?.reveal()]).toEqual(['env', 'env-token-1']);
    const made = [runToken(parseRunArgs(['--demo']), config, {}), runToken(parseRunArgs(['--demo']), config, {})];
    expect(made.map((t) => t.origin)).toEqual(['generated', 'generated']);
    expect(made[0]?.secret?.reveal()).toMatch(/^[\w-]{32}$/);
    expect(made[0]?.secret?.reveal()).not.toBe(made[1]?.secret?.reveal());
  });
});

describe('a taken port', () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    // Not a clawwarden: it hangs up on anyone who connects.
    holder = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => holder.close(() => done())));

  it('says which port, who to ask, and how to pick another, before acting on anything', async () => {
    const state = await mkdtemp(join(tmpdir(), 'cw-run-port-'));
    const { code, stderr } = await cli(['run', '--demo', '--listen', `127.0.0.1:${port}`, '--state-dir', state]);
    await rm(state, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE)`);
    expect(stderr).toContain(`ss -ltnp 'sport = :${port}'`);
    expect(stderr).toContain(`clawwarden run --demo --listen 127.0.0.1:${port + 1}`);
    expect(stderr).toContain(`npm start -- --listen 127.0.0.1:${port + 1}`);
  });
});

describe('run --demo in a process of its own', () => {
  let dir: string;
  let out = '';
  let err = '';
  let exit: Promise<number | null>;
  let child: ReturnType<typeof spawn>;

  const waitFor = async (what: () => boolean, ms: number): Promise<void> => {
    for (const end = Date.now() + ms; !what();) {
      if (Date.now() > end) throw new Error(`timed out; stderr:\n${err}\nstdout:\n${out.slice(0, 4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-run-'));
    const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'src', 'cli', 'main.ts'), 'run', '--demo', '--listen', '127.0.0.1:0', '--state-dir', join(dir, 'state')], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    exit = new Promise((done) => child.on('exit', (code) => done(code)));
    // Every line the tests below read: the runaway's stop and the agent over its daily budget (in either order).
    await waitFor(() => /API token: {2}\S+/.test(err) && out.includes('stop agent:backend:fix-flaky-tests') && out.includes('violation agent-daily-budget on agent reporting'), 60_000);
  }, 90_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const token = (): string => /API token: {2}(\S+)/.exec(err)?.[1] ?? '';
  const url = (): string => /Console: {4}(\S+)/.exec(err)?.[1] ?? '';

  it('prints the console URL, a generated API token and how to stop, on stderr', () => {
    expect(url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(token()).toMatch(/^[\w-]{32}$/);
    expect(err).toMatch(/Stop: {7}Ctrl-C/);
  });

  it('logs each decision and action at info with its reason and numbers, and never the token', () => {
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.find((l) => l.msg.startsWith('clawwarden ') && l.msg.includes('running'))?.msg).toMatch(/console at http:\/\/127\.0\.0\.1:\d+\/; stop with Ctrl-C/);
    expect(lines.find((l) => l.msg.startsWith('violation session-token-cap on session agent:backend:fix-flaky-tests'))).toMatchObject({ level: 30 });
    expect(lines.find((l) => l.msg.startsWith('violation session-token-cap'))?.msg).toMatch(/tokens\.total [\d,]+ > 200,000 .*→ notify, stop$/);
    expect(lines.find((l) => l.msg.startsWith('stop agent:backend:fix-flaky-tests: done'))?.msg).toMatch(/aborted run .*\(policy session-token-cap: tokens\.total [\d,]+ > 200,000\)/);
    expect(lines.find((l) => l.msg.startsWith('violation agent-daily-budget on agent reporting'))?.msg).toMatch(/cost \$[\d.,]+ > \$25\.00/);
    expect(out).not.toContain(token());
  });

  it("accepts the printed token for the console's actions", async () => {
    const key = encodeURIComponent('agent:docs:api-reference');
    const refused = await fetch(`${url()}api/v1/sessions/${key}/pause`, { method: 'POST', headers: { Authorization: 'Bearer wrong-token-123' } });
    expect(refused.status).toBe(401);
    const paused = await fetch(`${url()}api/v1/sessions/${key}/pause`, { method: 'POST', headers: { Authorization: `Bearer ${token()}` } });
    expect(paused.status).toBe(200);
    const resumed = await fetch(`${url()}api/v1/sessions/${key}/resume`, { method: 'POST', headers: { Authorization: `Bearer ${token()}` } });
    expect(resumed.status).toBe(200);
    expect(out).not.toContain(token());
  });

  it('stops on SIGTERM with exit 0', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('"msg":"stopped"');
  });
});
