import { describe, expect, it } from 'vitest';
import { OpenClawSource } from '../../src/sources/openclaw/index.js';
import type { SourceEvent } from '../../src/sources/source.js';
import { freePort } from './support/gateway.js';
import { connectOperator, eventually } from './support/operator.js';
import { quietLog, skipE2E, useWorld } from './support/world.js';

describe.skipIf(skipE2E)('OpenClaw connection failures and recovery', { timeout: 240_000 }, () => {
  const world = useWorld();

  it('a wrong token is a clear AUTH_TOKEN_MISMATCH error: the source rejects start, the CLI exits 1', async () => {
    const source = new OpenClawSource('gw', { url: world.gateway.url, token: 'not-the-token' }, { now: Date.now, log: quietLog });
    await expect(source.start()).rejects.toMatchObject({ code: 'AUTH_TOKEN_MISMATCH', message: expect.stringContaining('rejected the token') as string });
    expect(source.isUp()).toBe(false);

    const cli = await world.cli(['list', '--url', world.gateway.url, '--token', 'not-the-token']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('AUTH_TOKEN_MISMATCH');
    expect(cli.stderr).not.toContain('not-the-token');
  });

  it('an unreachable gateway is a clear error naming the URL', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`;
    const cli = await world.cli(['stop', 'agent:main:x', '--url', url]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`cannot reach the OpenClaw gateway at ${url}`);
  });

  it('a gateway restart mid-run: down, then up after re-subscribing; usage events resume; one stop acts once', async () => {
    const source = await world.source();
    const events: SourceEvent[] = [];
    source.subscribe((e) => events.push(e));
    const { key } = await world.operator.create('restart-loop', 'keep working forever MODE:loop ID:restart-loop');
    await world.model.waitForCalls('restart-loop', 2, 90_000);
    await eventually('a usage event', () => (events.some((e) => e.type === 'usage' && e.record.key === key) ? true : undefined));

    await world.gateway.restart();
    await eventually(
      'down then up',
      () => {
        const down = events.findIndex((e) => e.type === 'down');
        return down >= 0 && events.slice(down).some((e) => e.type === 'up') ? true : undefined;
      },
      60_000,
    );
    expect(source.isUp()).toBe(true);
    const down = events.find((e) => e.type === 'down');
    expect(down?.type === 'down' && down.error).toMatch(/closed|reach/);

    // After `up` the consumer re-syncs: the inventory is whole and the session is still there.
    const sessions = await source.inventory();
    const session = sessions.find((s) => s.key === key);
    expect(session).toBeDefined();

    const callsBefore = world.model.calls('restart-loop').length;
    await new Promise((r) => setTimeout(r, 3_000));
    console.info(`[e2e] after restart: ${session?.key} active=${session?.active} status=${session?.status}; loop calls ${callsBefore} -> ${world.model.calls('restart-loop').length}`);

    // New work after the restart is seen live again (a fresh client: the operator's own reconnect is not under test).
    const upAt = events.length;
    const operator = await connectOperator(world.gateway.url, world.gateway.token);
    const after = await operator.create('restart-after', 'keep working forever MODE:loop ID:restart-after');
    await operator.close();
    await world.model.waitForCalls('restart-after', 2, 90_000);
    await eventually('usage events after the restart', () => (events.slice(upAt).some((e) => e.type === 'usage' && e.record.key === after.key) ? true : undefined), 30_000);

    const current = (await source.inventory()).find((s) => s.key === after.key);
    expect(current?.active).toBe(true);
    const first = await source.perform({ action: 'stop', key: after.key, generation: current?.generation ?? '' });
    expect(first.status).toBe('done');
    await eventually('the run to end', async () => ((await source.inventory()).find((s) => s.key === after.key)?.active === false ? true : undefined));
    const second = await source.perform({ action: 'stop', key: after.key, generation: current?.generation ?? '' });
    expect(second).toMatchObject({ status: 'noop', detail: 'no-active-run' });
    const calls = world.model.calls('restart-after').length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(world.model.calls('restart-after').length).toBe(calls);

    // A stale generation is refused, never applied to the session as it is now.
    const stale = await source.perform({ action: 'pause', key: after.key, generation: 'an-older-generation' });
    expect(stale.status).toBe('refused');
    expect((await source.inventory()).find((s) => s.key === after.key)?.archived).toBe(false);
    // The run from before the restart: stop it whatever OpenClaw did with it, so the gateway stops quickly.
    await source.perform({ action: 'stop', key, generation: session?.generation ?? '' });
  });
});
