import { describe, expect, it } from 'vitest';
import { skipE2E } from '../support/world.js';
import { runIncident, type IncidentResult } from './run.js';
import { runawayLoop } from './runaway-loop.js';
import { useIncidentWorld } from './world.js';

/** Incident 1: the endless tool loop, alone for its 30 s window, then caught by runaway-loop from outside and in the gateway. */
describe.skipIf(skipE2E)('incident 1 on a real OpenClaw gateway: an endless tool loop', () => {
  const world = useIncidentWorld();
  const results = new Map<string, IncidentResult>();

  it('alone, OpenClaw lets it run the whole window: nothing ends it', async () => {
    const alone = await runIncident(runawayLoop, 'alone', world);
    results.set('alone', alone);
    expect(alone.caught).toBeUndefined();
    expect(alone.watchedMs).toBe(runawayLoop.windowMs);
    // Far past the 40k test cap: a loop at ~300 ms per call re-sending a 12k+ token transcript.
    expect(alone.billedCalls, JSON.stringify(alone)).toBeGreaterThanOrEqual(10);
    expect(alone.tokens.total).toBeGreaterThan(200_000);
  }, 240_000);

  it.each(['outside', 'guard'] as const)(
    '%s: caught by runaway-loop, and it spends less than alone',
    async (mode) => {
      const run = await runIncident(runawayLoop, mode, world);
      results.set(mode, run);
      expect(run.caught, JSON.stringify(run.entries)).toBeDefined();
      expect(run.policy).toBe('runaway-loop');
      if (mode === 'outside') expect(run.by).toBe('policy');
      // With the guard, the guard blocked the tool call after the crossing call (the daemon's own stop may land first).
      else
        expect(
          run.entries.some((e) => e.type === 'action' && e.by === 'guard' && e.policy === 'runaway-loop'),
          JSON.stringify(run.entries),
        ).toBe(true);
      expect(run.caught?.action).toBe('stop');
      expect(run.caught?.reason).toMatch(/tokens\.total [\d,]+ > 40,000|40,000/);
      expect(run.tokens.total).toBeGreaterThan(40_000);
      const alone = results.get('alone');
      expect(alone, 'the alone run comes first').toBeDefined();
      expect(run.tokens.total, JSON.stringify({ run: { ...run, entries: undefined }, alone: { ...alone, entries: undefined } })).toBeLessThan(alone!.tokens.total);
      expect(run.dollars).toBeLessThan(alone!.dollars);
    },
    240_000,
  );
});
