import { afterAll, describe, expect, it } from 'vitest';
import { connectOperator, eventually, type Operator } from './support/operator.js';
import { entriesFor, startWarden, waitReady, type InProcessWarden } from './support/daemon.js';
import { skipE2E, useWorld } from './support/world.js';

const sourceUp = (metrics: string): number | undefined => {
  const m = /^clawwarden_source_up\{[^}]*source="gw"[^}]*\} (\d+)/m.exec(metrics);
  return m ? Number(m[1]) : undefined;
};

describe.skipIf(skipE2E)('daemon on a real OpenClaw gateway: the gateway restarts', () => {
  const world = useWorld();
  let warden: InProcessWarden | undefined;
  let operator: Operator | undefined;

  afterAll(async () => {
    await operator?.close();
    await warden?.close();
  });

  it('goes unready while the gateway is down, re-syncs when it is back, acts on nothing twice, and still stops a new runaway', async () => {
    warden = await startWarden(
      {
        gatewayUrl: world.gateway.url,
        policies: `  - name: runaway-cap
    match: { key: "agent:main:gw-*" }
    when: { tokens.total: "> 60k" }
    do: [ stop ]`,
      },
      world.gateway.token,
    );
    const w = warden;
    await waitReady(w);
    expect(sourceUp(await w.metrics())).toBe(1);

    const before = await world.operator.create('gw-before', 'loop forever MODE:loop ID:gw-before');
    const stop = await eventually('the first runaway stopped', async () => entriesFor(await w.journal(), before.key, 'action').find((e) => e.action === 'stop'), 120_000);
    expect(stop, `stop: ${stop.detail}`).toMatchObject({ result: 'done' });
    // A run is in flight when the gateway goes away.
    const mid = await world.operator.create('gw-midrun', 'a slow one MODE:slow ID:gw-midrun');
    await eventually('the slow run to be active', async () => {
      const rows = (await world.operator.request<{ sessions: { key: string; hasActiveRun?: boolean }[] }>('sessions.list', { limit: 500 })).sessions;
      return rows.find((r) => r.key === mid.key)?.hasActiveRun === true ? true : undefined;
    });

    await world.gateway.stop();
    await waitReady(w, 503, 30_000);
    expect(sourceUp(await w.metrics())).toBe(0);
    const downReport = (await (await fetch(`${w.base}/readyz`)).json()) as { waiting?: string[] };
    expect(downReport.waiting).toContain('source gw down');

    await world.gateway.restart();
    await waitReady(w, 200, 120_000);
    expect(sourceUp(await w.metrics())).toBe(1);
    // The operator's own connection died with the gateway; a new one starts the next runaway.
    operator = await connectOperator(world.gateway.url, world.gateway.token);
    const after = await operator.create('gw-after', 'loop forever MODE:loop ID:gw-after');
    await world.model.waitForCalls('gw-after', 2, 120_000);
    const afterSession = await eventually('the daemon to see the new session', () => w.daemon.fleet.session('gw', after.key));
    // Usage of a session born after the reconnect must count as known, or no usage policy can ever fire on it.
    await eventually("the new session's usage to be known", () => (w.daemon.fleet.usageKnown('gw', after.key, afterSession.generation) ? true : undefined), 10_000);
    const stopAfter = await eventually('the runaway after the restart stopped', async () => entriesFor(await w.journal(), after.key, 'action').find((e) => e.action === 'stop'), 120_000);
    expect(stopAfter, `stop: ${stopAfter.detail}`).toMatchObject({ policy: 'runaway-cap', result: 'done' });

    const entries = await w.journal();
    expect(entries.some((e) => e.type === 'source' && /^down/.test(e.reason))).toBe(true);
    expect(entries.filter((e) => e.type === 'source' && /^synced/.test(e.reason)).length).toBeGreaterThanOrEqual(2);
    // Nothing acted on twice: the re-sync after the reconnect re-evaluated the first runaway without hitting it again.
    expect(entriesFor(entries, before.key, 'action').map((e) => e.action)).toEqual(['stop']);
    expect(entriesFor(entries, before.key, 'decision')).toHaveLength(1);
    expect(entriesFor(entries, after.key, 'action').map((e) => e.action)).toEqual(['stop']);
  }, 300_000);
});
