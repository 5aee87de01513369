import { afterEach, describe, expect, it } from 'vitest';
import { waitReady, type ChildWarden } from './support/daemon.js';
import { eventually, untilIdle } from './support/operator.js';
import { skipE2E } from './support/world.js';
import { API_TOKEN, served, spawnGuardedWarden, startGuardedWarden, useGuardWorld, type GuardedWarden } from '../guard/world.js';

const CAP = 40_000;
const MAIN = 'agent:main:main';

describe.skipIf(skipE2E)('guard on a real OpenClaw gateway: admission, and enforcing with the daemon gone', () => {
  const world = useGuardWorld();
  let daemon: GuardedWarden | undefined;
  let child: ChildWarden | undefined;

  afterEach(async () => {
    await daemon?.close();
    daemon = undefined;
    if (child && child.child.exitCode === null && child.child.signalCode === null) {
      child.signal('SIGKILL');
      await child.exited;
    }
    child = undefined;
  });

  const idle = (key: string): Promise<true> => untilIdle(world.operator, key);
  const agentRun = (marker: string) => world.gateway.cli(['agent', '--agent', 'main', '--session-key', MAIN, '--message', `work on it MODE:loop ID:${marker}`, '--json'], 240_000);

  it('a paused main session: a new `openclaw agent` run makes no model call, and its caller is told it is paused, by what and how to resume', async () => {
    await world.operator.send(MAIN, 'hello MODE:quick ID:main-warm');
    await world.slow.waitForCalls('main-warm', 1, 180_000);
    await idle(MAIN);
    daemon = await startGuardedWarden(world, '  - { name: never, when: { tokens.total: "> 1000M" }, do: [ stop ] }');
    const d = daemon;
    await eventually('the daemon to see the main session', () => (d.warden.daemon.session(MAIN) ? true : undefined));
    const paused = await d.act('pause', MAIN);
    expect(paused.status).toBe(200);
    await eventually('the held verdict', () => (d.warden.guard?.verdict('gw', MAIN)?.state === 'held' ? true : undefined));

    const run = await agentRun('held-1');
    const said = `${run.stdout}\n${run.stderr}`;
    expect(run.code, said).toBe(1);
    expect(said).toMatch(/clawwarden has paused session agent:main:main \(requested by api\) and holds it/);
    expect(said).toMatch(/No model call was made\. Resume it with: clawwarden sessions resume agent:main:main/);
    expect(world.slow.calls('held-1')).toHaveLength(0);
    const refused = await eventually('the refusal in the journal', async () => (await d.journal()).find((e) => e.by === 'guard' && e.session === MAIN && /refused/.test(e.detail ?? '')));
    expect(refused.reason).toMatch(/paused session agent:main:main/);

    // Resumed, the same command runs (and is stopped the ordinary way).
    expect((await d.act('resume', MAIN)).status).toBe(200);
    await eventually('the allowed verdict', () => (d.warden.guard?.verdict('gw', MAIN)?.state === 'allowed' ? true : undefined));
    const again = world.gateway.cli(['agent', '--agent', 'main', '--session-key', MAIN, '--message', 'one answer MODE:quick ID:held-2', '--json'], 240_000);
    await world.slow.waitForCalls('held-2', 1, 180_000);
    expect((await again).code).toBe(0);
  }, 600_000);

  it('with the daemon killed by its pid, the guard keeps enforcing: a held session and an over-cap session are refused, a new runaway is stopped below its hard cap', async () => {
    child = await spawnGuardedWarden(
      world,
      `  - name: hard-cap
    match: { key: "agent:main:dk-*" }
    when: { tokens.total: "> ${CAP}" }
    hard: true
    do: [ stop ]`,
    );
    const c = child;
    await waitReady(c, 200, 120_000);
    await eventually('the guard to connect', async () => (/clawwarden_guard_up\{source="gw"\} 1/.test(await c.metrics()) ? true : undefined), 60_000);

    // With the daemon up: a runaway held below its hard cap, and the main session paused.
    const { key } = await world.create('main', 'dk-1', 'read files forever MODE:loop ID:dk-1');
    await world.slow.waitForCalls('dk-1', 1, 180_000);
    await idle(key);
    expect(served(world.slow.calls('dk-1'))).toBeLessThanOrEqual(CAP);
    const pause = await fetch(`${c.base}/api/v1/sessions/${encodeURIComponent(MAIN)}/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(pause.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));

    // kill -9, by the daemon's own pid.
    process.kill(c.child.pid!, 'SIGKILL');
    expect(await c.exited).toBe('SIGKILL');

    // The held main session: refused at admission, no model call.
    const run = await agentRun('dead-1');
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/clawwarden has paused session agent:main:main/);
    expect(world.slow.calls('dead-1')).toHaveLength(0);

    // The session at its hard cap: a new message starts no model call.
    const before = world.slow.calls('dk-1').length;
    await world.operator.send(key, 'carry on MODE:loop ID:dk-1');
    await new Promise((r) => setTimeout(r, 8_000));
    expect(world.slow.calls('dk-1').length).toBe(before);

    // A runaway the daemon never saw: the last cap rules and the guard's own counts stop it below the cap.
    const fresh = await world.create('main', 'dk-2', 'read files forever MODE:loop ID:dk-2');
    await world.slow.waitForCalls('dk-2', 1, 180_000);
    await idle(fresh.key);
    await new Promise((r) => setTimeout(r, 2_000));
    const calls = world.slow.calls('dk-2');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(served(calls), JSON.stringify(calls)).toBeLessThanOrEqual(CAP);
  }, 600_000);
});
