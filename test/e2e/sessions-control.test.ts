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

  it('kill ends the run and archives the session: new messages to it are refused', async () => {
    const { key } = await world.operator.create('loop-kill', 'keep working forever MODE:loop ID:loop-kill');
    await world.model.waitForCalls('loop-kill', 2, 90_000);

    const result = await world.cli(['kill', key, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject([{ key, action: 'kill', status: 'done' }]);
    const killed = await eventually('the session to be archived and idle', async () => {
      const r = await row(key);
      return r && r.archived === true && r.hasActiveRun === false ? r : undefined;
    });
    expect(killed.archived).toBe(true);

    const refusal = await world.operator.send(key, 'more work MODE:quick ID:after-kill').then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );
    expect(refusal).toMatch(/archived/i);
    await settle(2_000);
    expect(world.model.calls('after-kill')).toHaveLength(0);
  });

  it('pause blocks new work until resume; resume lets it run again', async () => {
    const { key } = await world.operator.create('pausable', 'first MODE:quick ID:pause-a');
    await world.model.waitForCalls('pause-a', 1, 60_000);
    await eventually('the first run to end', async () => ((await row(key))?.hasActiveRun === false ? true : undefined));

    const paused = await world.cli(['pause', key, '--json']);
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject([{ key, action: 'pause', status: 'done', detail: 'archived' }]);
    expect((await row(key))?.archived).toBe(true);

    const refusal = await world.operator.send(key, 'while paused MODE:quick ID:pause-b').then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );
    expect(refusal).toMatch(/archived/i);
    await settle(2_000);
    expect(world.model.calls('pause-b')).toHaveLength(0);

    const resumed = await world.cli(['resume', key, '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ key, action: 'resume', status: 'done', detail: 'restored' }]);
    expect((await row(key))?.archived).toBe(false);
    await world.operator.send(key, 'after resume MODE:quick ID:pause-c');
    await world.model.waitForCalls('pause-c', 1, 60_000);
  });

  it('many keys: one ordered result each, unknown keys get a hint, dry-run touches nothing, exit 1 when any failed', async () => {
    const before = await rows();
    const known = before.find((r) => r.key === 'agent:main:pausable');
    expect(known).toBeDefined();
    const result = await world.cli(['pause', 'agent:main:pausable', 'agent:main:pausabel', '--dry-run', '--json']);
    expect(result.code).toBe(1);
    const results = JSON.parse(result.stdout) as { key: string; status: string; detail: string }[];
    expect(results.map((r) => [r.key, r.status])).toEqual([
      ['agent:main:pausable', 'planned'],
      ['agent:main:pausabel', 'unknown'],
    ]);
    expect(results[1]?.detail).toContain('did you mean agent:main:pausable?');
    expect((await row('agent:main:pausable'))?.archived).toBe(false);
  });

  it('straight to the gateway, pause/kill/resume of a main session are refused with the daemon hint; stop works', async () => {
    const main = 'agent:main:main';
    await world.operator.send(main, 'hello MODE:quick ID:main-a');
    await world.model.waitForCalls('main-a', 1, 60_000);
    await eventually('the main run to end', async () => ((await row(main))?.hasActiveRun === false ? true : undefined));
    const result = await world.cli(['pause', main, '--json']);
    expect(result.code).toBe(1);
    const [paused] = JSON.parse(result.stdout) as { status: string; detail: string }[];
    expect(paused).toMatchObject({ status: 'refused', detail: expect.stringContaining('daemon') as string });
    for (const action of ['kill', 'resume']) {
      const out = await world.cli([action, main, '--json']);
      expect(out.code, action).toBe(1);
      expect(JSON.parse(out.stdout)).toMatchObject([{ status: 'refused' }]);
    }
    expect((await row(main))?.archived).not.toBe(true);
    const stopped = await world.cli(['stop', main, '--json']);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toMatchObject([{ key: main, status: 'noop', detail: 'no-active-run' }]);
  });

  it('list --tokens shows cumulative tokens that match what the fake model served', async () => {
    const { key } = await world.operator.create('tokens', 'count me MODE:quick ID:tok-a');
    await world.model.waitForCalls('tok-a', 1, 60_000);
    await eventually('the run to end', async () => ((await row(key))?.hasActiveRun === false ? true : undefined));
    await world.operator.send(key, 'again MODE:quick ID:tok-b');
    await world.model.waitForCalls('tok-b', 1, 60_000);
    const served = { input: world.model.served('tok-a').input + world.model.served('tok-b').input, output: world.model.served('tok-a').output + world.model.served('tok-b').output };
    expect(served.input).toBeGreaterThan(1_000);

    // sessions.usage lags a run by seconds; poll until it has caught up, then it must match exactly.
    type View = { key: string; usage?: { input: number; output: number } };
    const view = await eventually(
      'sessions.usage to catch up',
      async () => {
        const out = await world.cli(['list', '--tokens', '1', '--json']);
        const v = (JSON.parse(out.stdout) as View[]).find((s) => s.key === key);
        return v?.usage && v.usage.output === served.output ? v : undefined;
      },
      60_000,
      1_000,
    );
    expect(view.usage).toMatchObject(served);

    // The threshold filters: above the session's total it is gone, the table shows it below.
    const total = served.input + served.output;
    const above = JSON.parse((await world.cli(['list', '--tokens', String(total + 1), '--json'])).stdout) as View[];
    expect(above.map((s) => s.key)).not.toContain(key);
    const table = (await world.cli(['list', '--tokens', String(total)])).stdout;
    expect(table).toMatch(new RegExp(`${key}\\s+main\\s+\\S+\\s+${served.input.toLocaleString('en-US')}\\s+${served.output}\\s+${total.toLocaleString('en-US')}\\s+\\$`));

    // The stopped runaway too: OpenClaw keeps what the model delivered, except that a call whose stream had completed
    // when the abort landed may be missing from the transcript (seen: the last of 11 calls). Nothing else may differ.
    const delivered = world.model.calls('loop-stop').filter((c) => !c.closedEarly);
    const all = { input: delivered.reduce((n, c) => n + c.promptTokens, 0), output: delivered.reduce((n, c) => n + c.completionTokens, 0) };
    const last = delivered[delivered.length - 1];
    const allButLast = { input: all.input - (last?.promptTokens ?? 0), output: all.output - (last?.completionTokens ?? 0) };
    const loopView = await eventually(
      'loop usage',
      async () => {
        const v = (JSON.parse((await world.cli(['list', '--json'])).stdout) as View[]).find((s) => s.key === 'agent:main:loop-stop');
        return v?.usage && (v.usage.output === all.output || v.usage.output === allButLast.output) ? v : undefined;
      },
      30_000,
      1_000,
    );
    const listed = { input: loopView.usage?.input, output: loopView.usage?.output };
    expect([all, allButLast]).toContainEqual(listed);
  });

  it('cleanup --age archives or deletes only the old sessions; --dry-run touches nothing; main sessions stay', async () => {
    await world.operator.create('old-a', 'old MODE:quick ID:old-a');
    await world.operator.create('old-b', 'old MODE:quick ID:old-b');
    await world.model.waitForCalls('old-a', 1, 60_000);
    await world.model.waitForCalls('old-b', 1, 60_000);
    await eventually('old runs to end', async () => ((await rows()).filter((r) => r.key.startsWith('agent:main:old-') && !r.hasActiveRun).length === 2 ? true : undefined));
    await settle(8_000);
    const youngAt = Date.now();
    // Old sessions are >= 8 s older than young: an age between the two splits them whatever the machine's load.
    const age = (): string => `${Math.ceil((Date.now() - youngAt + 4_000) / 1_000)}s`;
    await world.operator.create('young', 'young MODE:quick ID:young');
    await world.model.waitForCalls('young', 1, 60_000);
    await eventually('young run to end', async () => ((await row('agent:main:young'))?.hasActiveRun === false ? true : undefined));

    const before = await rows();
    const dry = await world.cli(['cleanup', '--age', age(), '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const planned = (JSON.parse(dry.stdout) as { key: string; status: string }[]).map((r) => r.key);
    expect(planned).toEqual(expect.arrayContaining(['agent:main:old-a', 'agent:main:old-b']));
    expect(planned).not.toContain('agent:main:young');
    expect(planned.filter((k) => k.endsWith(':main'))).toEqual([]);
    expect((await rows()).map((r) => [r.key, r.archived])).toEqual(before.map((r) => [r.key, r.archived]));

    const real = await world.cli(['cleanup', '--age', age(), '--json']);
    expect(real.code, real.stdout + real.stderr).toBe(0);
    const after = await rows();
    expect(after.find((r) => r.key === 'agent:main:old-a')?.archived).toBe(true);
    expect(after.find((r) => r.key === 'agent:main:old-b')?.archived).toBe(true);
    expect(after.find((r) => r.key === 'agent:main:young')?.archived).toBe(false);
    for (const main of after.filter((r) => r.key.endsWith(':main'))) expect(main.archived).not.toBe(true);

    const deleted = await world.cli(['cleanup', '--age', age(), '--mode', 'delete', '--agent', 'main', '--json']);
    expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
    const remaining = (await rows()).map((r) => r.key);
    expect(remaining).not.toContain('agent:main:old-a');
    expect(remaining).not.toContain('agent:main:old-b');
    expect(remaining).toContain('agent:main:young');
  });
});
