/**
 * Incident 2, the retry storm, on a real OpenClaw 2026.9.6 gateway. What this gateway version does with provider
 * errors (429, 500, malformed tool calls) is written down, with the log lines that show it, in retry-storm.ts: retries
 * are bounded within a run, so the storm is the request re-sent after each failed run. Billed retries (malformed tool
 * calls) must count toward spend and get the session paused; unbilled ones (429) must count as nothing.
 */
import { describe, expect, it } from 'vitest';
import { skipE2E } from '../support/world.js';
import { runIncident, type IncidentResult } from './run.js';
import { retryStorm, retryStormUnbilled } from './retry-storm.js';
import { useIncidentWorld } from './world.js';

describe.skipIf(skipE2E)('incident 2 on a real OpenClaw gateway: a retry storm', () => {
  const world = useIncidentWorld();
  const results = new Map<string, IncidentResult>();

  it('alone: every re-sent request is answered with malformed tool calls, each billed, for the whole window', async () => {
    const alone = await runIncident(retryStorm, 'alone', world);
    results.set('alone', alone);
    expect(alone.caught).toBeUndefined();
    // At least two runs of four billed calls each (1 + 3 resubmissions per run).
    expect(alone.billedCalls, JSON.stringify(alone)).toBeGreaterThanOrEqual(5);
    expect(alone.calls).toBe(alone.billedCalls);
  }, 300_000);

  it.each(['outside', 'guard'] as const)(
    '%s: the billed retries count, retry-storm pauses the session, the re-sent requests are refused',
    async (mode) => {
      const run = await runIncident(retryStorm, mode, world);
      results.set(mode, run);
      expect(run.caught, JSON.stringify({ ...run, entries: run.entries.map((e) => `${e.type} ${e.action ?? ''} ${e.by ?? ''} ${e.policy ?? ''} ${e.reason}`) })).toBeDefined();
      expect(run.policy).toBe('retry-storm');
      expect(run.caught?.action).toBe('pause');
      expect(run.caught?.reason).toMatch(/burn/);
      // What clawwarden counted is what the provider billed (an abort can drop the one call in flight).
      expect(run.counted).toBeGreaterThan(40_000);
      expect(run.counted).toBeLessThanOrEqual(run.tokens.total);
      const alone = results.get('alone');
      expect(alone, 'the alone run comes first').toBeDefined();
      expect(run.tokens.total).toBeLessThan(alone!.tokens.total);
      expect(run.dollars).toBeLessThan(alone!.dollars);
    },
    300_000,
  );

  it('429s: OpenClaw retries them, nothing is billed, clawwarden counts nothing and catches nothing', async () => {
    const run = await runIncident(retryStormUnbilled, 'outside', world);
    expect(run.calls, JSON.stringify(run)).toBeGreaterThanOrEqual(2);
    expect(run.billedCalls).toBe(0);
    expect(run.tokens.total).toBe(0);
    expect(run.counted).toBe(0);
    expect(run.caught).toBeUndefined();
    expect(run.entries.filter((e) => e.type === 'action')).toEqual([]);
  }, 300_000);
});
