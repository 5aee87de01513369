import { describe, expect, it } from 'vitest';
import { eventually } from '../support/operator.js';
import { skipE2E } from '../support/world.js';
import { subagentFanout } from './fanout.js';
import { familyCalls, runIncident, type IncidentResult } from './run.js';
import { useIncidentWorld } from './world.js';

const CAP = 300_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Incident 5: a parent spawns two looping sub-agents; alone they spend the whole window, with clawwarden the tree budget kills the parent and the kill reaches them. */
describe.skipIf(skipE2E)('incident 5 on a real OpenClaw gateway: sub-agent fan-out', () => {
  const world = useIncidentWorld(subagentFanout.gateway);
  const results = new Map<string, IncidentResult>();
  interface Row {
    key: string;
    hasActiveRun?: boolean;
    archived?: boolean;
  }
  const rows = (): Promise<Row[]> =>
    eventually('sessions.list', async () => (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 1000, archived: 'all' })).sessions, 120_000, 1_000);

  it('alone: the two sub-agents loop for the whole window, far past the tree budget', async () => {
    const alone = await runIncident(subagentFanout, 'alone', world);
    results.set('alone', alone);
    expect(alone.caught).toBeUndefined();
    expect(alone.sessions, JSON.stringify(alone.sessions)).toHaveLength(3);
    for (const kid of alone.sessions.slice(1)) expect(kid).toMatch(/^agent:main:subagent:/);
    const kids = familyCalls(world.slow, alone.marker).filter((c) => c.marker !== alone.marker);
    expect(new Set(kids.map((c) => c.marker))).toEqual(new Set([`${alone.marker}.kid1`, `${alone.marker}.kid2`]));
    expect(alone.tokens.total, JSON.stringify({ ...alone, entries: undefined, journal: undefined })).toBeGreaterThan(CAP);
  }, 600_000);

  it.each(['outside', 'guard'] as const)(
    '%s: the tree budget kills the parent, the kill reaches both sub-agents, their calls stop, and it spends less than alone',
    async (mode) => {
      const run = await runIncident(subagentFanout, mode, world);
      results.set(mode, run);
      const show = JSON.stringify(run.journal.map((e) => `${e.type} ${e.session ?? ''} ${e.action ?? ''} ${e.by ?? ''} ${e.policy ?? ''} ${e.result ?? ''} ${e.reason}`));
      expect(run.caught, show).toBeDefined();
      expect(run.policy).toBe('subagent-tree-budget');
      expect(run.caught).toMatchObject({ action: 'kill', result: 'done', by: 'policy' });
      const decision = run.journal.find((e) => e.type === 'decision' && e.decision === run.caught?.decision && e.session === run.key);
      expect(decision?.reason).toMatch(/tokens\.total [\d,]+ > 300,000 over the session and the 2 session\(s\) it spawned/);
      // The parent alone never came near the cap: the tree did.
      const own = world.slow.served(run.marker);
      expect(own.input + own.output).toBeLessThan(CAP);
      // Each sub-agent is killed in the same decision, journaled with the parent that reached it.
      const kids = run.sessions.slice(1);
      expect(kids).toHaveLength(2);
      for (const kid of kids) {
        const kill = run.journal.find((e) => e.type === 'action' && e.session === kid && e.action === 'kill');
        expect(kill, show).toMatchObject({ policy: 'subagent-tree-budget', result: 'done', decision: run.caught?.decision });
        expect(kill?.reason).toMatch(new RegExp(`^because parent ${run.key} was killed: tokens\\.total`));
      }
      // On the gateway: archived, idle, no more model calls, and closed to new work.
      await eventually(
        'the sub-agents archived and idle',
        async () => {
          const now = await rows();
          return kids.every((k) => now.find((r) => r.key === k)?.archived === true && now.find((r) => r.key === k)?.hasActiveRun === false) ? true : undefined;
        },
        60_000,
      );
      const kidCalls = (): number => familyCalls(world.slow, run.marker).filter((c) => c.marker !== run.marker).length;
      const settled = kidCalls();
      await sleep(8_000);
      expect(kidCalls(), 'sub-agent model calls after the kill').toBe(settled);
      await expect(world.operator.send(kids[0]!, `carry on MODE:loop ID:${run.marker}.kid1`)).rejects.toThrow(/archived/i);
      const alone = results.get('alone');
      expect(alone, 'the alone run comes first').toBeDefined();
      expect(run.tokens.total).toBeLessThan(alone!.tokens.total);
      expect(run.dollars).toBeLessThan(alone!.dollars);
    },
    600_000,
  );
});
