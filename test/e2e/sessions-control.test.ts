import { describe, expect, it } from 'vitest';
import { eventually } from './support/operator.js';
import { skipE2E, useWorld } from './support/world.js';

interface Row {
  key: string;
  sessionId: string;
  status?: string;
  hasActiveRun?: boolean;
  archived?: boolean;
}

describe.skipIf(skipE2E)('clawwarden sessions on a real OpenClaw gateway', { timeout: 180_000 }, () => {
  const world = useWorld();

  const rows = async (): Promise<Row[]> => (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500, archived: 'all' })).sessions;
  const row = async (key: string): Promise<Row | undefined> => (await rows()).find((r) => r.key === key);
  const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('stop ends a runaway tool loop: the gateway reports it stopped and no further model calls arrive', async () => {
    const { key } = await world.operator.create('loop-stop', 'keep working forever MODE:loop ID:loop-stop');
    await world.model.waitForCalls('loop-stop', 3, 90_000);
    expect((await row(key))?.hasActiveRun).toBe(true);

    const result = await world.cli(['stop', key, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject([{ key, action: 'stop', status: 'done' }]);

    const stopped = await eventually('the run to end', async () => {
      const r = await row(key);
      return r && r.hasActiveRun === false ? r : undefined;
    });
    expect(stopped.status).toBe('killed');
    const callsAtStop = world.model.calls('loop-stop').length;
    await settle(3_000);
    expect(world.model.calls('loop-stop').length).toBe(callsAtStop);

    // A second stop finds nothing to do: it is a no-op, not a failure.
    const again = await world.cli(['stop', key, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject([{ key, status: 'noop', detail: 'no-active-run' }]);
  });
});
