import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeModel } from './support/fake-model.js';
import { eventually, untilIdle } from './support/operator.js';
import { skipE2E } from './support/world.js';
import { crossing, served, startGuardedWarden, useGuardWorld, type GuardedWarden } from '../guard/world.js';
import { ifAssigned } from '../if-assigned.js';

const CAP = 40_000;

describe.skipIf(skipE2E)('guard on a real OpenClaw gateway: runaways against a 40,000-token cap', () => {
  const world = useGuardWorld();
  let daemon: GuardedWarden;

  beforeAll(async () => {
    daemon = await startGuardedWarden(
      world,
      `  - name: cap
    match: { key: ["agent:main:ra-*", "agent:fast:ra-*"] }
    when: { tokens.total: "> ${CAP}" }
    do: [ stop ]
  - name: hard-cap
    match: { key: ["agent:main:hard-*", "agent:fast:hard-*"] }
    when: { tokens.total: "> ${CAP}" }
    hard: true
    do: [ stop ]`,
    );
  }, 120_000);
  afterAll(async () => {
    await ifAssigned(daemon)?.close();
  });

  const idle = (key: string): Promise<true> => untilIdle(world.operator, key);
  const modelOf = (agent: 'main' | 'fast'): FakeModel => (agent === 'main' ? world.slow : world.fast);

  /** Starts one runaway and waits until its run is over and nothing more can arrive. */
  async function runaway(agent: 'main' | 'fast', name: string): Promise<{ key: string; marker: string }> {
    const marker = `${agent}-${name}`;
    const { key } = await world.create(agent, name, `read files forever MODE:loop ID:${marker}`);
    await modelOf(agent).waitForCalls(marker, 1, 180_000);
    await idle(key);
    // A call cut short by an abort, or one more started after it, would have shown up within this.
    await new Promise((r) => setTimeout(r, 2_000));
    return { key, marker };
  }

  /** Not hard: the call that crossed the cap completes, and no model call starts after it. */
  function expectEndsAtCrossing(agent: 'main' | 'fast', marker: string): void {
    const calls = modelOf(agent).calls(marker);
    const c = crossing(calls, CAP);
    expect(c.index, `calls of ${marker}: ${JSON.stringify(calls)}`).toBeGreaterThanOrEqual(0);
    expect(calls.length - (c.index + 1), `model calls after the crossing one for ${marker}: ${JSON.stringify(calls)}`).toBe(0);
  }

  /** Hard: served tokens stay at or below the cap. */
  function expectHeldBelowCap(agent: 'main' | 'fast', marker: string): void {
    const calls = modelOf(agent).calls(marker);
    expect(calls.length, `calls of ${marker}`).toBeGreaterThanOrEqual(2);
    expect(served(calls), `served tokens of ${marker}: ${JSON.stringify(calls)}`).toBeLessThanOrEqual(CAP);
  }

  it('was installed by install-guard and loaded by the restarted gateway with every hook it needs', async () => {
    expect(world.installed).toMatch(/plugins\.load\.paths: \+ .*\/guard/);
    const inspect = await world.gateway.cli(['plugins', 'inspect', 'clawwarden-guard', '--runtime', '--json'], 180_000);
    const json = JSON.parse(inspect.stdout.slice(inspect.stdout.indexOf('{'))) as { typedHooks?: { name: string }[] };
    expect(json.typedHooks?.map((h) => h.name).sort()).toEqual([
      'before_agent_run',
      'before_message_write',
      'before_tool_call',
      'gateway_start',
      'gateway_stop',
      'llm_output',
      'model_call_started',
      'session_end',
    ]);
    const status = daemon.warden.guard?.status()[0];
    expect(status).toMatchObject({ source: 'gw', up: true, guardVersion: '0.1.0', gatewayVersion: '2026.9.6' });
    expect(await (await fetch(`http://127.0.0.1:${daemon.warden.address.port}/metrics`)).text()).toMatch(/clawwarden_guard_up\{source="gw"\} 1/);
  }, 240_000);

  it.each([
    ['main', '300 ms'],
    ['fast', '30 ms'],
  ] as const)(
    'at %s per call (%s): the run ends at the tool call after the crossing call — no model call starts after it',
    async (agent, _speed) => {
      const { key, marker } = await runaway(agent, `ra-alone-${agent}`);
      expectEndsAtCrossing(agent, marker);
      const entries = await daemon.journal();
      expect(
        entries.some((e) => e.type === 'action' && e.by === 'guard' && e.session === key),
        JSON.stringify(entries.filter((e) => e.session === key)),
      ).toBe(true);
    },
    300_000,
  );

  it.each([
    ['main', '300 ms'],
    ['fast', '30 ms'],
  ] as const)(
    'hard: true at %s per call (%s): stopped before the cap, tokens served stay at or below it, a new run is refused at admission',
    async (agent, _speed) => {
      const { key, marker } = await runaway(agent, `hard-alone-${agent}`);
      expectHeldBelowCap(agent, marker);
      const blocked = (await daemon.journal()).find((e) => e.type === 'action' && e.by === 'guard' && e.session === key);
      expect(blocked?.reason).toMatch(/hard cap \(tokens\.total [\d,]+ of 40,000; the next call \(about [\d,]+\) would cross it; policy hard-cap\)/);
      const before = modelOf(agent).calls(marker).length;
      await world.operator.send(key, `more MODE:loop ID:${marker}`);
      const refused = await eventually(
        'the refusal in the journal',
        async () => (await daemon.journal()).find((e) => e.by === 'guard' && e.session === key && /refused/.test(e.detail ?? '')),
        120_000,
      );
      expect(refused.reason).toMatch(/refused a new run on .*No model call was made/);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(modelOf(agent).calls(marker).length).toBe(before);
    },
    300_000,
  );

  it('under load (8 runaways at once, both speeds, hard and not): every one ends at its crossing call or below its hard cap', async () => {
    const cases = (['main', 'fast'] as const).flatMap((agent) =>
      [1, 2].flatMap((n) => [
        { agent, name: `ra-load-${n}` },
        { agent, name: `hard-load-${n}` },
      ]),
    );
    const results = await Promise.all(cases.map(async (c) => ({ ...c, ...(await runaway(c.agent, c.name)) })));
    for (const r of results) {
      if (r.name.startsWith('hard-')) expectHeldBelowCap(r.agent, r.marker);
      else expectEndsAtCrossing(r.agent, r.marker);
    }
  }, 600_000);
});
