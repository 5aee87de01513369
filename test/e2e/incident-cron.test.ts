import { afterAll, describe, expect, it } from 'vitest';
import { startWarden, type InProcessWarden } from './support/daemon.js';
import { eventually } from './support/operator.js';
import { skipE2E, useWorld } from './support/world.js';

// Incident 6, a cron job gone wrong: an automation job's run (session `agent:main:cron:<job>…`) loops. A policy
// matching cron keys kills the run; because every run of an isolated job gets a fresh session, the kill also disables
// the job on the gateway (`cron.update enabled:false`), so its next runs do not repeat the loop until resumed.

const CAP = 60_000;

describe.skipIf(skipE2E)('incident: cron job gone wrong on a real gateway', () => {
  const world = useWorld();
  let warden: InProcessWarden | undefined;
  afterAll(async () => {
    await warden?.close();
  });

  interface Row {
    key: string;
    kind?: string;
    hasActiveRun?: boolean;
    archived?: boolean;
  }
  interface Job {
    id?: string;
    enabled?: boolean;
  }
  // A loaded machine can make one sessions.list time out; ask again rather than fail the scenario on it.
  const rows = (): Promise<Row[]> =>
    eventually('sessions.list', async () => (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500, archived: 'all' })).sessions, 120_000, 1_000);
  const job = async (id: string): Promise<Job | undefined> => {
    const reply = await world.operator.request<{ jobs?: Job[] }>('cron.list', { includeDisabled: true });
    return (reply.jobs ?? []).find((j) => j.id === id);
  };

  it('kills the looping cron run and disables its job, so a next run does not start', async () => {
    warden = await startWarden(
      {
        gatewayUrl: world.gateway.url,
        policies: `  - name: cron-runaway
    match: { key: "agent:*:cron:*" }
    when: { tokens.total: "> ${CAP}" }
    do: [ kill ]`,
      },
      world.gateway.token,
    );
    const w = warden;
    const added = await world.operator.request<Job & { job?: Job }>('cron.add', {
      name: 'nightly-report',
      schedule: { kind: 'every', everyMs: 3_600_000 },
      sessionTarget: 'isolated',
      wakeMode: 'now',
      payload: { kind: 'agentTurn', message: 'write the nightly report MODE:loop ID:cron-nightly' },
    });
    const id = added.id ?? added.job?.id;
    expect(id, JSON.stringify(added)).toBeTruthy();
    await world.operator.request('cron.run', { id, mode: 'force' });
    await world.model.waitForCalls('cron-nightly', 2, 300_000);

    // The run's session: a cron key of this job.
    const run = await eventually('the cron run session', async () => (await rows()).find((r) => r.key.includes(`:cron:${id!}`)), 60_000);
    expect(run.key).toMatch(new RegExp(`^agent:main:cron:${id!}`));

    const kill = await eventually('the kill of the cron run', async () => (await w.journal()).find((e) => e.type === 'action' && e.action === 'kill' && e.session?.includes(':cron:')), 300_000);
    expect(kill, kill.detail).toMatchObject({ policy: 'cron-runaway', result: 'done', by: 'policy' });
    expect(kill.detail).toContain(`cron job ${id!} disabled (its next runs will not start until resumed)`);
    await eventually('the run to end', async () => ((await rows()).filter((r) => r.key.includes(`:cron:${id!}`)).every((r) => r.hasActiveRun !== true) ? true : undefined), 60_000);
    expect((await job(id!))?.enabled).toBe(false);

    // The job's next run (the scheduler's, here asked for at once) does not start while it is disabled.
    await new Promise((r) => setTimeout(r, 3_000));
    const before = world.model.calls('cron-nightly').length;
    await world.operator.request('cron.run', { id, mode: 'if-enabled' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10_000));
    expect(world.model.calls('cron-nightly').length, 'model calls of the job after it was disabled').toBe(before);
  }, 900_000);
});
