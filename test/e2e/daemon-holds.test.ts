import { afterEach, describe, expect, it } from 'vitest';
import { entriesFor, startWarden, type InProcessWarden } from './support/daemon.js';
import { eventually } from './support/operator.js';
import { skipE2E, useWorld } from './support/world.js';

interface Row {
  key: string;
  hasActiveRun?: boolean;
  archived?: boolean;
  status?: string;
}

const DAY = 86_400_000;

describe.skipIf(skipE2E)('daemon on a real OpenClaw gateway: budget windows and holds', () => {
  const world = useWorld();
  let warden: InProcessWarden | undefined;

  afterEach(async () => {
    await warden?.close();
    warden = undefined;
  });

  const row = async (key: string): Promise<Row | undefined> =>
    (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500, archived: 'all' })).sessions.find((r) => r.key === key);
  const idle = (key: string): Promise<Row> =>
    eventually(
      `${key} to be idle`,
      async () => {
        const r = await row(key);
        return r && r.hasActiveRun === false ? r : undefined;
      },
      120_000,
    );

  it('pauses an agent over its daily cost budget and resumes it by itself when the window resets', async () => {
    let offset = 0;
    warden = await startWarden(
      {
        gatewayUrl: world.gateway.url,
        policies: `  - name: daily-budget
    scope: agent
    match: { key: "agent:main:budget-*" }
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $0.01" }
    do: [ pause ]`,
      },
      world.gateway.token,
      { now: () => Date.now() + offset },
    );
    const w = warden;
    // One ~15k-token call at $3/M input is ~$0.05: over the $0.01 day budget at once.
    const { key } = await world.operator.create('budget-1', 'one answer please MODE:quick ID:budget-1');
    const pause = await eventually('the pause action', async () => entriesFor(await w.journal(), key, 'action').find((e) => e.action === 'pause'), 120_000);
    expect(pause, `pause: ${pause.detail}`).toMatchObject({ policy: 'daily-budget', result: 'done', detail: 'archived' });
    expect(pause.reason).toMatch(/cost \$[\d.]+ > \$0\.01/);
    await eventually('the gateway to show it archived', async () => ((await row(key))?.archived === true ? true : undefined));
    await expect(world.operator.send(key, 'more MODE:quick ID:budget-1b')).rejects.toThrow(/archived/i);

    // Midnight UTC passes (one minute after it): the next sweep releases the pause.
    const now = Date.now();
    offset = Math.ceil(now / DAY) * DAY + 60_000 - now;
    await w.daemon.sweep();
    const release = entriesFor(await w.journal(), key, 'decision').find((e) => e.kind === 'release');
    expect(release?.reason).toMatch(/budget window of policy daily-budget has reset/);
    const resume = entriesFor(await w.journal(), key, 'action').find((e) => e.action === 'resume');
    expect(resume, `resume: ${resume?.detail}`).toMatchObject({ policy: 'daily-budget', result: 'done', detail: 'restored' });
    expect((await row(key))?.archived).toBe(false);
    await world.operator.send(key, 'new day MODE:quick ID:budget-1c');
    await world.model.waitForCalls('budget-1c', 1, 60_000);
    await idle(key);
    // The new day's spend is far below nothing-yet: no second pause.
    expect(entriesFor(await w.journal(), key, 'action').map((e) => e.action)).toEqual(['pause', 'resume']);
  }, 240_000);

  it('holds a main session: a run started on it is aborted at once; resume releases the hold', async () => {
    const main = 'agent:main:main';
    await world.operator.send(main, 'hello MODE:quick ID:main-warm');
    await world.model.waitForCalls('main-warm', 1, 120_000);
    await idle(main);
    warden = await startWarden(
      {
        gatewayUrl: world.gateway.url,
        policies: `  - name: never
    when: { tokens.total: "> 1000M" }
    do: [ stop ]`,
      },
      world.gateway.token,
    );
    const w = warden;
    await eventually('the daemon to see the main session', () => (w.daemon.session(main) ? true : undefined));

    const paused = await w.act('pause', main);
    expect(paused.status).toBe(200);
    expect(JSON.stringify(paused.body)).toMatch(/held/);
    // OpenClaw cannot archive a main session; clawwarden holds it instead.
    expect((await row(main))?.archived).toBe(false);

    await world.operator.send(main, 'work forever MODE:loop ID:main-held');
    const abort = await eventually(
      'the hold to abort the run',
      async () => entriesFor(await w.journal(), main, 'action').find((e) => e.action === 'stop' && /session is held/.test(e.reason)),
      120_000,
    );
    expect(abort, `abort: ${abort.detail}`).toMatchObject({ result: 'done', by: 'api' });
    expect(abort.reason).toMatch(/pause: requested by api/);
    await idle(main);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(world.model.calls('main-held').length).toBeLessThanOrEqual(1);

    const resumed = await w.act('resume', main);
    expect(resumed.status).toBe(200);
    const release = entriesFor(await w.journal(), main, 'release');
    expect(release).toHaveLength(1);
    await world.operator.send(main, 'free again MODE:quick ID:main-free');
    await world.model.waitForCalls('main-free', 1, 60_000);
    const done = await idle(main);
    expect(done.status).toBe('done');
    expect(world.model.calls('main-free').every((c) => !c.closedEarly)).toBe(true);
  }, 240_000);
});
