import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { formatConfigError, loadConfig } from '../../src/config/index.js';
import { freePort } from '../../src/cli/run/port.js';
import { readHistory } from '../../src/replay/history-file.js';
import type { SourceEvent, UsageRecord } from '../../src/sources/source.js';
import { startWorld, T0, type DaemonWorld } from './harness.js';

const FLEET = `
sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
policies: []
`;

let world: DaemonWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const MIN = 60_000;

describe('the daemon records every counted call for replay --from state', () => {
  it('what the daemon counted reads back call for call, and replay --from state over its state dir acts on it', async () => {
    world = await startWorld(FLEET);
    const emitted: UsageRecord[] = [];
    world.demo.subscribe((e: SourceEvent) => {
      if (e.type === 'usage') emitted.push(e.record);
    });
    // Ten minutes of fleet, a few seconds at a time, on the daemon's own clock.
    for (let t = 5_000; t <= 10 * MIN; t += 5_000) {
      world.clock.now = T0 + t;
      world.demo.tick();
    }
    expect(emitted.length).toBeGreaterThan(20);
    world.clock.now = T0 + 11 * MIN;
    // The ledger counted each of them (none is a replay of a call already counted).
    const counted = emitted.filter((r) => world!.daemon.fleet.ledger.session(r.source, r.key, r.generation)?.known);
    expect(counted).toHaveLength(emitted.length);
    const models = new Map(world.daemon.fleet.sessions().map((s) => [s.key, s.model]));
    await world.daemon.close();

    const history = join(world.dir, 'state', 'history');
    const timeline = await readHistory(history, T0, T0 + 10 * MIN + 1);
    expect(timeline.gaps).toEqual([]);
    const byKey = new Map<string, UsageRecord[]>();
    for (const r of emitted) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    expect(timeline.sessions.map((s) => s.key).sort()).toEqual([...byKey.keys()].sort());
    for (const s of timeline.sessions) {
      const calls = byKey.get(s.key)!;
      expect([...s.calls.at]).toEqual(calls.map((c) => c.at));
      expect([...s.calls.input]).toEqual(calls.map((c) => c.input));
      expect([...s.calls.output]).toEqual(calls.map((c) => c.output));
      // The session facts policies match on come along: its model and agent.
      expect(s).toMatchObject({ agent: calls[0]!.agent, generation: calls[0]!.generation });
      expect(s.model).toBe(models.get(s.key));
      expect(s.model).toMatch(/^demo-/);
    }

    // The biggest spender over those ten minutes, with a cap at half of it: replay stops it where it crossed.
    const [key, calls] = [...byKey].sort((a, b) => total(b[1]) - total(a[1]))[0]!;
    const cap = Math.floor(total(calls) / 2);
    let sum = 0;
    const crossing = calls.find((c) => (sum += c.input + c.output + c.cacheRead + c.cacheWrite) > cap)!;
    const config = join(world.dir, 'replay.yaml');
    await writeFile(
      config,
      `sources: [ { name: demo, type: demo } ]\nstateDir: ${JSON.stringify(join(world.dir, 'state'))}\npolicies:\n  - name: cap\n    match: { key: "${key}" }\n    when: { tokens.total: "> ${cap}" }\n    do: [ stop ]\n`,
    );
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), env: {}, cwd: world.dir };
    const code = await main(['replay', '--config', config, '--from', 'state', '--since', new Date(T0).toISOString(), '--until', new Date(T0 + 10 * MIN + 1).toISOString(), '--json'], io);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { actions: { policy: string; session: string; action: string; at: string; savedTokens: number }[] };
    expect(report.actions).toEqual([expect.objectContaining({ policy: 'cap', session: key, action: 'stop', at: new Date(crossing.at).toISOString() })]);
    expect(report.actions[0]!.savedTokens).toBeLessThanOrEqual(total(calls) - sum);
  });

  it('history.retention sets how long calls are kept (default 35 days); a value that is not a duration is a config error', async () => {
    world = await startWorld(`${FLEET}history: { retention: 2w }\n`);
    expect(world.config.history.retentionMs).toBe(14 * 24 * 60 * MIN);
    const file = join(world.dir, 'bad.yaml');
    await writeFile(file, `${FLEET}history: { retention: soon }\n`);
    const bad = loadConfig({ file, cwd: world.dir, env: {} });
    expect(bad.config).toBeUndefined();
    expect(bad.errors.map(formatConfigError).join('\n')).toMatch(/history.retention.*expected a duration like "35d", "2w" or "720h"/s);
    await writeFile(file, FLEET);
    expect(loadConfig({ file, cwd: world.dir, env: {} }).config?.history.retentionMs).toBe(35 * 24 * 60 * MIN);
  });
});

describe('a daemon killed mid-run', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('leaves a history that reads up to the last whole line', { timeout: 150_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'clawwarden-history-kill-'));
    const state = join(dir, 'state');
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
        join(root, 'src', 'cli', 'main.ts'),
        'run',
        '--demo',
        '--state-dir',
        state,
        '--listen',
        `127.0.0.1:${port}`,
        '--log-level',
        'warn',
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CLAWWARDEN_API_TOKEN: 'history-kill-token-8a7b6c' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (output += b.toString('utf8')));
    const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
    try {
      // Until the history holds a few synced calls (the demo fleet, at its real pace, makes about one a second).
      const history = join(state, 'history');
      const deadline = Date.now() + 90_000;
      let calls = 0;
      while (calls < 8) {
        if (child.exitCode !== null) throw new Error(`clawwarden exited with ${child.exitCode}:\n${output.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`no calls recorded in ${history}:\n${output.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
        const files = await readdir(history).catch(() => [] as string[]);
        calls = 0;
        for (const f of files) calls += (await readFile(join(history, f), 'utf8')).split('\n').filter((l) => l.startsWith('C\t')).length;
      }
    } finally {
      // Only the process this test started, by its own pid.
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    const history = join(state, 'history');
    const [segment] = await readdir(history);
    const text = await readFile(join(history, segment!), 'utf8');
    expect(text).not.toContain('\nD\t');
    const timeline = await readHistory(history, 0, Date.now() + 60_000);
    const read = timeline.sessions.reduce((n, s) => n + s.calls.length, 0);
    // Every whole call line is read (a torn tail, if the kill cut one, is not).
    const whole = text
      .slice(0, text.lastIndexOf('\n'))
      .split('\n')
      .filter((l) => l.startsWith('C\t')).length;
    expect(read).toBe(whole);
    expect(read).toBeGreaterThanOrEqual(8);
    // Asked from 1970: only that the recording starts later is named (a segment without a stop mark may still be recording).
    expect(timeline.gaps.map((g) => g.kind)).toEqual(['retention']);
  });
});

function total(calls: readonly UsageRecord[]): number {
  return calls.reduce((n, c) => n + c.input + c.output + c.cacheRead + c.cacheWrite, 0);
}
