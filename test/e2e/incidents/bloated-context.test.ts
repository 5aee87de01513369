import { describe, expect, it } from 'vitest';
import { skipE2E } from '../support/world.js';
import { bloatedContext } from './bloated-context.js';
import { runIncident, type IncidentResult } from './run.js';
import { useIncidentWorld } from './world.js';

/** Incident 4: a pasted 30k-token log re-sent with every one-line question; bloated-context compacts it. */
describe.skipIf(skipE2E)('incident 4 on a real OpenClaw gateway: huge input, tiny output', () => {
  const world = useIncidentWorld();
  let alone: IncidentResult | undefined;

  it('alone: every question re-sends the whole log for a one-line answer', async () => {
    alone = await runIncident(bloatedContext, 'alone', world);
    expect(alone.caught).toBeUndefined();
    expect(alone.billedCalls, JSON.stringify(alone)).toBeGreaterThanOrEqual(4);
    // Every call carries the pasted log (30k tokens) on top of the system prompt.
    const calls = world.slow.calls(alone.marker);
    for (const c of calls) expect(c.promptTokens).toBeGreaterThan(30_000);
    expect(alone.tokens.input / alone.tokens.output).toBeGreaterThan(200);
  }, 300_000);

  it('outside: caught by bloated-context, compacted, and the questions after it send a fraction of the tokens', async () => {
    const run = await runIncident(bloatedContext, 'outside', world);
    expect(run.caught, JSON.stringify({ ...run, entries: run.entries.map((e) => `${e.type} ${e.action ?? ''} ${e.result ?? ''} ${e.policy ?? ''} ${e.reason} ${e.detail ?? ''}`) })).toBeDefined();
    expect(run.policy).toBe('bloated-context');
    expect(run.by).toBe('policy');
    expect(run.caught).toMatchObject({ action: 'compact', result: 'done' });
    expect(run.caught?.reason).toMatch(/ratio\.input_output/);
    // Compacted once: the cooldown keeps it from compacting (and paying for it) again within the window.
    expect(run.entries.filter((e) => e.type === 'action' && e.action === 'compact')).toHaveLength(1);
    const compactedAt = Date.parse(run.caught!.time);
    const calls = world.slow.calls(run.marker);
    const before = calls.filter((c) => c.at < compactedAt && !c.closedEarly);
    const after = calls.filter((c) => c.at > compactedAt && !c.closedEarly);
    expect(after.length, JSON.stringify(calls)).toBeGreaterThanOrEqual(1);
    const largestBefore = Math.max(...before.map((c) => c.promptTokens));
    // The log is gone from the context: each question after compaction sends less than half of what one sent before.
    for (const c of after) expect(c.promptTokens, JSON.stringify(calls)).toBeLessThan(largestBefore / 2);
    expect(run.tokens.total).toBeLessThan(alone!.tokens.total);
    expect(run.dollars).toBeLessThan(alone!.dollars);
  }, 300_000);
});
