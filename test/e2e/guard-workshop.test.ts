import { afterAll, describe, expect, it } from 'vitest';
import { eventually, untilIdle } from './support/operator.js';
import { skipE2E } from './support/world.js';
import { startGuardedWarden, useGuardWorld, type GuardedWarden } from '../guard/world.js';

const VISIBLE_CAP = 180_000;
const HIDDEN_CAP = 100_000;
const AGENT_BUDGET = 10_000_000;

describe.skipIf(skipE2E)('guard on a real OpenClaw gateway: skills workshop review runs, which no client sees', () => {
  const world = useGuardWorld({ workshop: true });
  let daemon: GuardedWarden | undefined;
  afterAll(async () => {
    await daemon?.close();
  });

  interface Row {
    key: string;
    hasActiveRun?: boolean;
  }
  const idle = (key: string): Promise<true> => untilIdle(world.operator, key);

  it("their calls reach the ledger through the guard, count toward the agent's budget, and a cap stops them", async () => {
    daemon = await startGuardedWarden(
      world,
      `  - name: loop-cap
    match: { key: "agent:main:ws-*" }
    when: { tokens.total: "> ${VISIBLE_CAP}" }
    do: [ stop ]
  - name: hidden-cap
    match: { key: "agent:main:internal-session-effects:*" }
    when: { tokens.total: "> ${HIDDEN_CAP}" }
    do: [ stop ]
  - name: agent-budget
    scope: agent
    match: { agent: main }
    window: { every: day, tz: UTC }
    when: { tokens.total: "> ${AGENT_BUDGET}" }
    do: [ notify ]`,
    );
    const d = daemon;
    const ledger = d.warden.daemon.fleet.ledger;
    // A turn of ten or more model calls makes OpenClaw schedule an experience review, 30 s after the gateway goes idle.
    const { key } = await world.create('main', 'ws-1', 'read files forever MODE:loop ID:ws-1');
    await idle(key);
    const visibleCalls = world.slow.calls('ws-1').length;
    expect(visibleCalls).toBeGreaterThanOrEqual(10);
    const visibleEnd = Date.now();

    const hidden = await eventually('the review run in the ledger', () => [...ledger.entries()].find((e) => /^agent:main:internal-session-effects:skill-workshop-review/.test(e.key)), 180_000, 500);
    expect(hidden.agent).toBe('main');
    // It loops like the turn it reviews (the fake model sees MODE:loop in the transcript); hidden-cap ends it.
    const blocked = await eventually('the guard to stop the review run', async () => (await d.journal()).find((e) => e.by === 'guard' && e.session === hidden.key), 180_000, 500);
    expect(blocked.policy).toBe('hidden-cap');
    await new Promise((r) => setTimeout(r, 3_000));

    // The ledger has exactly what the model served to the review (its calls carry the reviewed turn's marker).
    const review = world.slow
      .calls('ws-1')
      .slice(visibleCalls)
      .filter((c) => c.at > visibleEnd && !c.closedEarly);
    expect(review.length).toBeGreaterThanOrEqual(2);
    const entry = [...ledger.entries()].find((e) => e.key === hidden.key)!;
    expect(entry.totals.input + entry.totals.output).toBe(review.reduce((s, c) => s + c.promptTokens + c.completionTokens, 0));
    // No model call started after the one that crossed hidden-cap.
    let total = 0;
    const crossingAt = review.findIndex((c) => (total += c.promptTokens + c.completionTokens) > HIDDEN_CAP);
    expect(crossingAt).toBe(review.length - 1);
    // sessions.list does not show it: only the guard's reports put it in the ledger.
    const rows = (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500 })).sessions;
    expect(rows.some((r) => r.key === hidden.key)).toBe(false);

    // The agent's daily budget counts it.
    await d.warden.daemon.sweep();
    const budget = d.warden.daemon.aggregates().find((b) => b.policy === 'agent-budget' && b.agent === 'main');
    const agentTotal = [...ledger.entries()].filter((e) => e.agent === 'main').reduce((s, e) => s + e.totals.input + e.totals.output + e.totals.cacheRead + e.totals.cacheWrite, 0);
    const hiddenTotal = entry.totals.input + entry.totals.output;
    expect(budget, JSON.stringify(d.warden.daemon.aggregates())).toBeDefined();
    expect(Math.round(budget!.ratio * AGENT_BUDGET)).toBe(agentTotal);
    expect(agentTotal - hiddenTotal).toBeGreaterThan(0);
    expect(hiddenTotal).toBeGreaterThan(HIDDEN_CAP);
  }, 600_000);
});
