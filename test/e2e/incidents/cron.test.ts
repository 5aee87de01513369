import { describe, expect, it } from 'vitest';
import { skipE2E } from '../support/world.js';
import { cronRunaway } from './cron.js';
import { runIncident, type IncidentResult } from './run.js';
import { useIncidentWorld } from './world.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Incident 6: a cron job's run loops; alone for the whole window, with clawwarden killed and its job disabled. */
describe.skipIf(skipE2E)('incident 6 on a real OpenClaw gateway: a cron job gone wrong', () => {
  const world = useIncidentWorld();
  const results = new Map<string, IncidentResult>();
  const jobOf = (run: IncidentResult): string => {
    const id = /:cron:([^:]+)/.exec(run.sessions[0] ?? '')?.[1];
    if (!id) throw new Error(`no cron session in ${JSON.stringify(run.sessions)}`);
    return id;
  };
  const enabled = async (id: string): Promise<boolean | undefined> =>
    ((await world.operator.request<{ jobs?: { id?: string; enabled?: boolean }[] }>('cron.list', { includeDisabled: true })).jobs ?? []).find((j) => j.id === id)?.enabled;

  it('alone: the cron run loops for the whole window', async () => {
    const alone = await runIncident(cronRunaway, 'alone', world);
    results.set('alone', alone);
    expect(alone.caught).toBeUndefined();
    expect(alone.sessions[0], JSON.stringify(alone.sessions)).toMatch(/^agent:main:cron:/);
    expect(alone.tokens.total, JSON.stringify({ ...alone, journal: undefined })).toBeGreaterThan(60_000);
  }, 600_000);

  it.each(['outside', 'guard'] as const)(
    '%s: cron-runaway kills the run and disables its job, so a next run does not start; it spends less than alone',
    async (mode) => {
      const run = await runIncident(cronRunaway, mode, world);
      results.set(mode, run);
      const show = JSON.stringify(run.journal.map((e) => `${e.type} ${e.session ?? ''} ${e.action ?? ''} ${e.by ?? ''} ${e.policy ?? ''} ${e.result ?? ''} ${e.reason}`));
      expect(run.caught, show).toBeDefined();
      expect(run.caught).toMatchObject({ policy: 'cron-runaway', action: 'kill', result: 'done', by: 'policy' });
      const id = jobOf(run);
      expect(run.caught?.session).toMatch(new RegExp(`^agent:main:cron:${id}`));
      expect(run.caught?.detail).toContain(`cron job ${id} disabled (its next runs will not start until resumed)`);
      expect(await enabled(id)).toBe(false);
      // The job's next run (the scheduler's, here asked for at once) does not start while it is disabled.
      const calls = world.slow.calls(run.marker).length;
      await world.operator.request('cron.run', { id, mode: 'if-enabled' }).catch(() => undefined);
      await sleep(10_000);
      expect(world.slow.calls(run.marker).length, 'model calls of the job after it was disabled').toBe(calls);
      const alone = results.get('alone');
      expect(alone, 'the alone run comes first').toBeDefined();
      expect(run.tokens.total).toBeLessThan(alone!.tokens.total);
      expect(run.dollars).toBeLessThan(alone!.dollars);
    },
    600_000,
  );
});
