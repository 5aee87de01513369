import { describe, expect, it } from 'vitest';
import { billed, type ServedCall } from '../support/fake-model.js';
import { skipE2E } from '../support/world.js';
import { heartbeatAbandoned } from './heartbeat.js';
import { familyCalls, runIncident, type IncidentResult } from './run.js';
import { useIncidentWorld } from './world.js';

/**
 * Incident 3: one human message to the main session, then only heartbeats. Alone they bill the whole window; with
 * clawwarden `idle.human` pauses (holds) the session while plain `idle` never fires, and the heartbeats stop billing.
 */
describe.skipIf(skipE2E)('incident 3 on a real OpenClaw gateway: heartbeat burn on an abandoned session', () => {
  const world = useIncidentWorld(heartbeatAbandoned.gateway);
  const results = new Map<string, IncidentResult>();
  /** The run's calls after the person's one call, within its window (later heartbeats still carry its marker), that billed. */
  const heartbeats = (run: IncidentResult): ServedCall[] => {
    const calls = familyCalls(world.slow, run.marker);
    return calls.slice(1).filter((c) => billed(c) && c.at <= calls[0]!.at + heartbeatAbandoned.windowMs);
  };

  it('alone: heartbeat turns keep billing for the whole window with nobody writing', async () => {
    const alone = await runIncident(heartbeatAbandoned, 'alone', world);
    results.set('alone', alone);
    expect(alone.caught).toBeUndefined();
    expect(alone.watchedMs).toBe(heartbeatAbandoned.windowMs);
    // The person's one call, then at least three heartbeat calls (about every 30 s) in the 150 s window.
    expect(alone.billedCalls, JSON.stringify({ ...alone, journal: undefined })).toBeGreaterThanOrEqual(4);
    expect(heartbeats(alone).length).toBeGreaterThanOrEqual(3);
  }, 600_000);

  it.each(['outside', 'guard'] as const)(
    '%s: idle.human pauses the main session while plain idle does not fire, and the heartbeats stop billing',
    async (mode) => {
      const run = await runIncident(heartbeatAbandoned, mode, world);
      results.set(mode, run);
      const show = JSON.stringify(run.entries.map((e) => `${e.time} ${e.type} ${e.action ?? ''} ${e.by ?? ''} ${e.policy ?? ''} ${e.result ?? ''} ${e.reason}`));
      expect(run.caught, show).toBeDefined();
      expect(run.caught).toMatchObject({ policy: 'heartbeat-abandoned', action: 'pause', result: 'done', by: 'policy' });
      // Caught by the human measure while something was still spending: the session was busy by the gateway's measure.
      expect(run.caught?.reason).toMatch(/idle\.human (\d+m )?\d+s > 1m/);
      expect(run.caught?.reason).toMatch(/; idle \d+s < 45s/);
      // An idle policy on the platform's last activity, same threshold, had not fired when it was caught (it may fire
      // later: once the held session's heartbeats stop, the session really is idle).
      const pausedAt = Date.parse(run.caught!.time);
      expect(
        run.journal.filter((e) => e.policy === 'plain-idle' && Date.parse(e.time) <= pausedAt),
        show,
      ).toEqual([]);
      // What kept it busy: heartbeat calls after the only human message, billed.
      const rows = await world.operator.request<{ sessions: { key: string; lastInteractionAt?: number }[] }>('sessions.list', { limit: 1000 });
      const lastHumanAt = rows.sessions.find((r) => r.key === run.key)?.lastInteractionAt;
      expect(lastHumanAt).toBeTypeOf('number');
      const before = heartbeats(run).filter((c) => c.at <= pausedAt);
      expect(before.length).toBeGreaterThanOrEqual(1);
      expect(before.every((c) => c.at > lastHumanAt!)).toBe(true);
      // The whole window is watched: at least one heartbeat cadence passed after the pause, and nothing billed in it
      // (5 s allowed for a call in flight when the pause landed).
      const windowEnd = familyCalls(world.slow, run.marker)[0]!.at + heartbeatAbandoned.windowMs;
      expect(windowEnd - pausedAt).toBeGreaterThan(35_000);
      const after = familyCalls(world.slow, run.marker).filter((c) => billed(c) && c.at > pausedAt + 5_000 && c.at <= windowEnd);
      expect(after, show).toEqual([]);
      if (mode === 'outside') {
        // From outside, each heartbeat run started on the held session is aborted.
        expect(
          run.entries.some((e) => e.type === 'action' && e.action === 'stop' && e.by === 'policy' && /session is held/.test(e.reason)),
          show,
        ).toBe(true);
      } else {
        // In the gateway, the guard refuses each heartbeat run on the held session before its model call.
        expect(
          run.entries.some((e) => e.type === 'action' && e.action === 'stop' && e.by === 'guard' && /No model call was made/.test(e.reason)),
          show,
        ).toBe(true);
      }
      const alone = results.get('alone');
      expect(alone, 'the alone run comes first').toBeDefined();
      expect(run.tokens.total).toBeLessThan(alone!.tokens.total);
      expect(run.dollars).toBeLessThan(alone!.dollars);
    },
    600_000,
  );
});
