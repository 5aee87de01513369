import { afterEach, describe, expect, it } from 'vitest';
import type { ServedCall } from './support/fake-model.js';
import { entriesFor, startWarden, type InProcessWarden } from './support/daemon.js';
import { eventually } from './support/operator.js';
import { skipE2E, useWorld } from './support/world.js';

const CAP = 60_000;

/** Index of the served call whose usage took the cumulative total past `cap` (what OpenClaw reported as that call's usage). */
function crossingIndex(calls: readonly ServedCall[], cap: number): { index: number; total: number } {
  let total = 0;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i]!;
    if (call.closedEarly) continue;
    total += call.promptTokens + call.completionTokens;
    if (total > cap) return { index: i, total };
  }
  return { index: -1, total };
}

describe.skipIf(skipE2E)('daemon on a real OpenClaw gateway: runaway sessions and blast radius', () => {
  const world = useWorld();
  let warden: InProcessWarden | undefined;

  afterEach(async () => {
    await warden?.close();
    warden = undefined;
  });

  interface Row {
    key: string;
    hasActiveRun?: boolean;
    archived?: boolean;
    status?: string;
  }
  const row = async (key: string): Promise<Row | undefined> =>
    (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500, archived: 'all' })).sessions.find((r) => r.key === key);

  it('stops a runaway within one model call of crossing its token cap, then kills it when it keeps running past the grace period', async () => {
    warden = await startWarden(
      {
        gatewayUrl: world.gateway.url,
        policies: `  - name: runaway-cap
    match: { key: "agent:main:runaway-*" }
    when: { tokens.total: "> ${CAP}" }
    do: [ stop ]
    escalate:
      - after: 5s
        if: active
        do: kill`,
      },
      world.gateway.token,
    );
    const w = warden;
    const { key } = await world.operator.create('runaway-1', 'keep reading files forever MODE:loop ID:runaway-1');

    const stop = await eventually('the stop action in the journal', async () => entriesFor(await w.journal(), key, 'action').find((e) => e.action === 'stop'), 120_000);
    expect(stop, `stop: ${stop.detail}`).toMatchObject({ policy: 'runaway-cap', result: 'done', by: 'policy', mode: 'enforce' });
    expect(stop.reason).toMatch(/tokens\.total [\d,]+ > 60,000/);
    await eventually('the run to end', async () => ((await row(key))?.hasActiveRun === false ? true : undefined));
    // A call already in flight when the abort lands is cut short (and recorded) within ~50 ms.
    await new Promise((r) => setTimeout(r, 2_000));

    const decision = entriesFor(await w.journal(), key, 'decision').find((e) => e.decision === stop.decision);
    expect(decision).toMatchObject({ policy: 'runaway-cap', kind: 'violation' });
    const calls = world.model.calls('runaway-1');
    const crossing = crossingIndex(calls, CAP);
    expect(crossing.index, `calls: ${JSON.stringify(calls)}`).toBeGreaterThanOrEqual(0);
    // The decision was taken on the very usage event that crossed the cap, not on a later one.
    expect(decision?.measurements?.[0]?.value).toBe(crossing.total);
    // Overshoot: at most the one model call the gateway had already started when the abort arrived.
    expect(calls.length - (crossing.index + 1), `calls: ${JSON.stringify(calls)}`).toBeLessThanOrEqual(1);

    // It keeps going: someone starts it again. After the 5 s grace period, if still active, it is killed (archived).
    await world.operator.send(key, 'carry on MODE:loop ID:runaway-1');
    const kill = await eventually('the kill action in the journal', async () => entriesFor(await w.journal(), key, 'action').find((e) => e.action === 'kill'), 60_000);
    expect(kill, `kill: ${kill.detail}`).toMatchObject({ policy: 'runaway-cap', result: 'done', by: 'policy' });
    expect(kill.detail).toMatch(/archived/);
    const escalation = entriesFor(await w.journal(), key, 'decision').find((e) => e.decision === kill.decision);
    expect(escalation).toMatchObject({ kind: 'escalation' });
    expect(escalation?.reason).toMatch(/still so 5s after the first action and still active/);
    const killed = await eventually('the session archived and idle', async () => {
      const r = await row(key);
      return r?.archived === true && r.hasActiveRun === false ? r : undefined;
    });
    expect(killed.archived).toBe(true);
    await expect(world.operator.send(key, 'one more MODE:loop ID:runaway-1')).rejects.toThrow(/archived/i);
    // One stop and one kill for this chain, nothing repeated.
    const actions = entriesFor(await w.journal(), key, 'action').map((e) => `${e.action}:${e.result}`);
    expect(actions).toEqual(['stop:done', 'kill:done']);
  }, 180_000);

  it('refuses a mass action above safety.maxActionsPerSweep: nothing is done, the journal and the metric say so', async () => {
    const keys: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const { key } = await world.operator.create(`mass-${i}`, `one short answer MODE:quick ID:mass-${i}`);
      keys.push(key);
    }
    await eventually(
      'the four runs to finish',
      async () => {
        const rows = await Promise.all(keys.map(row));
        return rows.every((r) => r && r.hasActiveRun === false) ? true : undefined;
      },
      120_000,
    );
    warden = await startWarden(
      {
        gatewayUrl: world.gateway.url,
        maxActionsPerSweep: 2,
        policies: `  - name: mass-pause
    match: { key: "agent:main:mass-*" }
    when: { age: "> 1s" }
    do: [ pause ]`,
      },
      world.gateway.token,
    );
    const w = warden;
    await w.daemon.sweep();
    const entries = await w.journal();
    const refusal = entries.find((e) => e.type === 'refusal');
    expect(refusal?.reason).toMatch(/blast radius: 4 actions planned .* exceed safety\.maxActionsPerSweep \(limit 2 .*nothing was done/);
    expect(refusal?.detail).toMatch(/mass-pause/);
    expect(entries.filter((e) => e.type === 'action')).toEqual([]);
    const metrics = await w.metrics();
    const refused = /clawwarden_actions_total\{[^}]*action="pause"[^}]*result="refused-blast-radius"[^}]*\} (\d+)/.exec(metrics);
    expect(refused, metrics).not.toBeNull();
    expect(Number(refused?.[1])).toBeGreaterThanOrEqual(4);
    const before = Number(refused?.[1]);
    await w.daemon.sweep();
    const again = /clawwarden_actions_total\{[^}]*action="pause"[^}]*result="refused-blast-radius"[^}]*\} (\d+)/.exec(await w.metrics());
    expect(Number(again?.[1])).toBe(before + 4);
    // The gateway agrees nothing happened: none of the four was archived.
    for (const key of keys) expect((await row(key))?.archived).toBe(false);
  }, 180_000);
});
