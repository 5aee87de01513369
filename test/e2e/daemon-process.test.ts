import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entriesFor, spawnWarden, stopWarden, waitReady, writeWardenConfig, type ChildWarden, type WardenSpec } from './support/daemon.js';
import { eventually } from './support/operator.js';
import { skipE2E, useWorld } from './support/world.js';

const capPolicy = (prefix: string, escalateAfter?: string): string => `  - name: runaway-cap
    match: { key: "agent:main:${prefix}-*" }
    when: { tokens.total: "> 60k" }
    do: [ stop ]${
      escalateAfter
        ? `
    escalate:
      - after: ${escalateAfter}
        if: active
        do: kill`
        : ''
    }`;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe.skipIf(skipE2E)('clawwarden run as a process on a real OpenClaw gateway: crashes and signals', () => {
  const world = useWorld();
  const running: ChildWarden[] = [];

  afterEach(async () => {
    for (const w of running.splice(0)) await stopWarden(w, 5_000);
  });

  const start = (files: Awaited<ReturnType<typeof writeWardenConfig>>): ChildWarden => {
    const w = spawnWarden(files);
    running.push(w);
    return w;
  };

  it('continues an escalation ladder after kill -9 and a restart, without repeating a step', async () => {
    const spec: WardenSpec = { gatewayUrl: world.gateway.url, policies: capPolicy('crash', '8s') };
    const files = await writeWardenConfig(spec, world.gateway.token);
    const first = start(files);
    await waitReady(first);
    const { key } = await world.operator.create('crash-1', 'loop forever MODE:loop ID:crash-1');
    const stop = await eventually('the stop action', async () => entriesFor(await first.journal(), key, 'action').find((e) => e.action === 'stop'), 120_000);
    expect(stop, `stop: ${stop.detail}`).toMatchObject({ result: 'done' });
    // The runaway is started again, and the daemon dies mid-ladder (before the 8 s grace period is over).
    await world.operator.send(key, 'again MODE:loop ID:crash-1');
    first.signal('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    running.splice(running.indexOf(first), 1);

    const second = start(files);
    await waitReady(second);
    const kill = await eventually('the kill action after the restart', async () => entriesFor(await second.journal(), key, 'action').find((e) => e.action === 'kill'), 120_000);
    expect(kill, `kill: ${kill.detail}`).toMatchObject({ policy: 'runaway-cap', result: 'done' });
    const entries = await second.journal();
    // The ladder's clock starts when the stop was first attempted (before the call, so a little before the stop's
    // journal line, which is written when the call returns): the kill is not due until 8 s after that.
    const violation = entriesFor(entries, key, 'decision').find((e) => e.kind === 'violation')!;
    const step0 = entries.find((e) => e.type === 'step' && e.decision === violation.decision)!;
    const firedAt = step0.episode!.firedAt;
    expect(firedAt).toBeLessThanOrEqual(Date.parse(stop.time));
    expect(Date.parse(kill.time) - firedAt).toBeGreaterThanOrEqual(8_000);
    expect(entries.filter((e) => e.type === 'config' && /^started/.test(e.reason))).toHaveLength(2);
    const actions = entriesFor(entries, key, 'action').map((e) => `${e.action}:${e.result}`);
    expect(actions).toEqual(['stop:done', 'kill:done']);
    // One decision per step (a kill -9 between journaling a decision and committing its step may re-journal it, never re-act).
    const decisions = new Map(entriesFor(entries, key, 'decision').map((e) => [e.decision, e.kind]));
    expect([...decisions.values()]).toEqual(['violation', 'escalation']);
    await eventually('the gateway to show it archived', async () => {
      const rows = (await world.operator.request<{ sessions: { key: string; archived?: boolean }[] }>('sessions.list', { limit: 500, archived: 'all' })).sessions;
      return rows.find((r) => r.key === key)?.archived === true ? true : undefined;
    });
  }, 240_000);

  it('SIGHUP with an invalid config keeps the old one enforcing; SIGTERM exits 0; the gateway token is never written out', async () => {
    const spec: WardenSpec = { gatewayUrl: world.gateway.url, policies: capPolicy('hup') };
    const files = await writeWardenConfig(spec, world.gateway.token);
    const w = start(files);
    await waitReady(w);
    const good = await readFile(files.file, 'utf8');
    await writeFile(files.file, good.replace('do: [ stop ]', 'do: [ kil ]'));
    w.signal('SIGHUP');
    await eventually('the reload to be rejected', () => (/reload rejected/.test(w.stdout()) ? true : undefined));
    const line =
      w
        .stdout()
        .split('\n')
        .find((l) => /reload rejected/.test(l)) ?? '{}';
    const rejected = JSON.parse(line) as { level?: number; errors?: string[] };
    expect(rejected.level).toBe(50);
    expect(rejected.errors).toEqual([expect.stringMatching(/^clawwarden\.yaml:\d+:\d+ policies\[0\] "runaway-cap" › do\[0\]: unknown action "kil"/)]);

    // The old config still enforces.
    const { key } = await world.operator.create('hup-1', 'loop forever MODE:loop ID:hup-1');
    const stop = await eventually('the stop action', async () => entriesFor(await w.journal(), key, 'action').find((e) => e.action === 'stop'), 120_000);
    expect(stop, `stop: ${stop.detail}`).toMatchObject({ policy: 'runaway-cap', result: 'done' });

    running.splice(running.indexOf(w), 1);
    expect(await stopWarden(w, 10_000)).toBe(0);
    expect(w.stdout()).toMatch(/"msg":"stopped"/);
    const token = world.gateway.token;
    expect(w.stdout()).not.toContain(token);
    expect(w.stderr()).not.toContain(token);
    for (const file of await filesUnder(files.stateDir)) expect(await readFile(file, 'utf8'), file).not.toContain(token);
  }, 240_000);
});
