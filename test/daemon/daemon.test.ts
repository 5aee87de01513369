import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CAST } from '../../src/sources/demo/index.js';
import { actions, startWorld, type DaemonWorld } from './harness.js';

const FLEET = `
sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
safety: { maxActionsPerSweep: 50, protect: ["agent:*:main"] }
`;

let world: DaemonWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('daemon on the demo fleet', () => {
  it('stops the runaway at once, explains why, and the run really ends', async () => {
    world = await startWorld(`${FLEET}
policies:
  - name: cap
    when: { tokens.total: "> 200k" }
    do: [stop]
`);
    const entries = await world.journal();
    const stop = entries.find((e) => e.type === 'action' && e.session === DEMO_CAST.runaway);
    expect(stop).toMatchObject({ policy: 'cap', action: 'stop', result: 'done', mode: 'enforce', by: 'policy' });
    expect(stop?.reason).toMatch(/^tokens\.total [\d,]+ > 200,000/);
    const decision = entries.find((e) => e.type === 'decision' && e.session === DEMO_CAST.runaway);
    expect(decision?.measurements?.[0]).toMatchObject({ metric: 'tokens.total', threshold: 200_000 });
    expect(world.demo.peek(DEMO_CAST.runaway)?.run).toBeFalsy();
  });

  it('acts once per decision: a restart on the same state repeats nothing', async () => {
    world = await startWorld(`${FLEET}
policies:
  - name: cap
    when: { tokens.total: "> 200k" }
    do: [stop]
  - name: idle
    when: { idle: "> 24h" }
    do: [{ cleanup: archive }]
`);
    const before = actions(await world.journal());
    expect(before).toEqual(expect.arrayContaining([`cap stop ${DEMO_CAST.runaway} done`, `idle cleanup ${DEMO_CAST.idle} done`]));
    await world.restart(); // the demo fleet comes back as it was at t0: same generations, same violations
    await world.daemon.sweep();
    expect(actions(await world.journal())).toEqual(before);
  });

  it('escalates after the grace period only while the session is still active, once', async () => {
    world = await startWorld(`${FLEET}
policies:
  - name: cap
    when: { tokens.total: "> 200k" }
    do: [stop]
    escalate:
      - { after: 5m, if: active, do: kill }
`);
    world.clock.now += 6 * 60_000;
    await world.daemon.sweep();
    expect(actions(await world.journal())).toEqual([`cap stop ${DEMO_CAST.runaway} done`]); // not active: no kill
    world.demo.startRun(DEMO_CAST.runaway, 'loop');
    await world.daemon.sweep();
    await world.daemon.sweep();
    const done = actions(await world.journal()).filter((a) => a.includes(DEMO_CAST.runaway));
    expect(done).toEqual([`cap stop ${DEMO_CAST.runaway} done`, `cap kill ${DEMO_CAST.runaway} done`]);
    expect(world.demo.peek(DEMO_CAST.runaway)?.archived).toBe(true);
  });

  it('refuses a whole sweep above maxActionsPerSweep and says so', async () => {
    world = await startWorld(`
sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
safety: { maxActionsPerSweep: 2 }
policies:
  - name: stop-everything
    when: { tokens.total: "> 1" }
    do: [pause]
`);
    const entries = await world.journal();
    expect(actions(entries)).toEqual([]);
    const refusal = entries.find((e) => e.type === 'refusal');
    expect(refusal?.reason).toMatch(/blast radius: \d+ actions planned in one \w+ exceed safety\.maxActionsPerSweep \(limit 2 of \d+ sessions\); nothing was done/);
    const text = await world.metrics.render();
    expect(text).toMatch(/clawwarden_actions_total\{[^}]*result="refused-blast-radius"[^}]*\} [1-9]/);
    expect(world.demo.peek(DEMO_CAST.inefficient)?.archived).toBe(false);
  });

  it('records dry-run decisions exactly like real ones but touches nothing', async () => {
    world = await startWorld(`${FLEET}
mode: dry-run
policies:
  - name: cap
    when: { tokens.total: "> 200k" }
    do: [stop]
`);
    expect(actions(await world.journal())).toEqual([`cap stop ${DEMO_CAST.runaway} would`]);
    expect(world.demo.peek(DEMO_CAST.runaway)?.run).toBeTruthy();
    await world.daemon.sweep();
    expect(actions(await world.journal())).toHaveLength(1);
  });

  it('never pauses, kills or cleans up protected sessions; stops them only with allowProtected', async () => {
    world = await startWorld(`${FLEET}
policies:
  - name: pause-support
    match: { agent: support }
    when: { tokens.total: ">= 0" }
    do: [pause]
`);
    const result = actions(await world.journal()).find((a) => a.includes('agent:support:main'));
    expect(result).toBe('pause-support pause agent:support:main refused');
    const entry = (await world.journal()).find((e) => e.type === 'action' && e.session === 'agent:support:main');
    expect(entry?.detail).toMatch(/protected/);
    expect(world.daemon.state.hold('demo', 'agent:support:main')).toBeUndefined();
  });

  it('stops a protected session when the policy says allowProtected, and still never kills it', async () => {
    world = await startWorld(`${FLEET}
policies:
  - name: stop-support
    match: { key: "agent:support:main" }
    allowProtected: true
    when: { active: true }
    do: [stop, kill]
`);
    expect(actions(await world.journal())).toEqual(['stop-support stop agent:support:main done', 'stop-support kill agent:support:main refused']);
    expect(world.demo.peek('agent:support:main')?.run).toBeFalsy();
  });

  it('pauses an agent over its daily budget and resumes it by itself when the window resets', async () => {
    world = await startWorld(`${FLEET}
policies:
  - name: daily
    scope: agent
    match: { agent: ${DEMO_CAST.overBudgetAgent} }
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $25" }
    do: [pause]
`);
    const paused = actions(await world.journal()).filter((a) => a.startsWith('daily pause') && a.endsWith('done'));
    expect(paused.length).toBeGreaterThan(0);
    const key = paused[0]!.split(' ')[2]!;
    expect(world.demo.peek(key)?.archived).toBe(true);
    expect(world.daemon.state.hold('demo', key)?.until).toBe(Date.UTC(2026, 10, 25));
    world.clock.now = Date.UTC(2026, 10, 25, 0, 0, 30);
    await world.daemon.sweep();
    const entries = await world.journal();
    expect(actions(entries)).toContain(`daily resume ${key} done`);
    expect(world.demo.peek(key)?.archived).toBe(false);
    expect(world.daemon.state.hold('demo', key)).toBeUndefined();
  });

  it('holds a paused main session: a run that starts on it is aborted at once', async () => {
    world = await startWorld(`${FLEET}\npolicies: []\n`);
    // Main sessions are protected here: a manual pause needs force, and says so without it.
    const [refused] = await world.daemon.act('pause', ['agent:support:main'], { by: 'api', dryRun: false });
    expect(refused).toMatchObject({ status: 'refused', detail: expect.stringMatching(/is protected \(safety\.protect\)/) as string });
    const [pause] = await world.daemon.act('pause', ['agent:support:main'], { by: 'api', dryRun: false, force: true });
    expect(pause).toMatchObject({ status: 'done' });
    expect(world.daemon.state.hold('demo', 'agent:support:main')?.kind).toBe('hold');
    expect(world.daemon.sessions({ state: 'held' }).map((v) => v.session.key)).toEqual(['agent:support:main']);
    world.demo.startRun('agent:support:main', 'loop');
    world.demo.tick();
    await world.daemon.sweep();
    const aborted = (await world.journal()).find((e) => e.type === 'action' && e.session === 'agent:support:main' && e.action === 'stop');
    expect(aborted).toMatchObject({ result: 'done' });
    expect(aborted?.reason).toMatch(/session is held/);
    expect(world.demo.peek('agent:support:main')?.run).toBeFalsy();
    const [resume] = await world.daemon.act('resume', ['agent:support:main'], { by: 'api', dryRun: false });
    expect(resume).toMatchObject({ status: 'done' });
    expect(world.daemon.state.hold('demo', 'agent:support:main')).toBeUndefined();
  });

  it('reports unknown keys with a hint and acts on nothing', async () => {
    world = await startWorld(`${FLEET}\npolicies: []\n`);
    const [outcome] = await world.daemon.act('stop', ['agent:backend:fix-flaky-test'], { by: 'cli', dryRun: false });
    expect(outcome).toMatchObject({ status: 'unknown-key' });
    expect(outcome?.detail).toBe(`unknown session "agent:backend:fix-flaky-test"; did you mean "${DEMO_CAST.runaway}"?`);
  });

  it('does not pause on unknown usage (fail-safe) and says why', async () => {
    world = await startWorld(`${FLEET}\npolicies: []\n`);
    world.daemon.fleet.ledger.markUnknown('demo');
    const session = world.daemon.fleet.session('demo', DEMO_CAST.inefficient)!;
    const record = await world.daemon.enforcer.manual('pause', session, { by: 'policy', dryRun: false });
    expect(record.status).toBe('refused');
    expect(record.detail).toMatch(/usage of .* is not known yet/);
    expect(world.demo.peek(DEMO_CAST.inefficient)?.archived).toBe(false);
  });

  it('never hits a newer generation: a decision about a reset session is skipped', async () => {
    world = await startWorld(`${FLEET}\npolicies: []\n`);
    const old = world.daemon.fleet.session('demo', DEMO_CAST.inefficient)!;
    world.demo.reset(DEMO_CAST.inefficient);
    world.demo.tick();
    await world.daemon.sweep();
    expect(world.daemon.fleet.session('demo', DEMO_CAST.inefficient)?.generation).not.toBe(old.generation);
    const record = await world.daemon.enforcer.manual('pause', old, { by: 'api', dryRun: false });
    expect(record.status).toBe('refused');
    expect(record.detail).toMatch(/was reset since the decision/);
    expect(world.demo.peek(DEMO_CAST.inefficient)?.archived).toBe(false);
  });

  it('moves a corrupt state file aside, reports it in the journal, and keeps running', async () => {
    world = await startWorld(`${FLEET}\npolicies: []\n`);
    await world.daemon.close();
    await writeFile(join(world.dir, 'state', 'state.json'), 'garbage{');
    await world.restart();
    const files = await readdir(join(world.dir, 'state'));
    expect(files.some((f) => f.startsWith('state.json.invalid-'))).toBe(true);
    const report = (await world.journal()).find((e) => e.type === 'config' && /moved aside/.test(e.reason));
    expect(report?.reason).toMatch(/state\.json: not valid JSON/);
    expect(world.daemon.readiness().ready).toBe(true);
  });

  it('trusts usage again after a reconnect, also for sessions created afterwards', async () => {
    world = await startWorld(`${FLEET}
policies:
  - name: cap
    when: { tokens.total: "> 50k" }
    do: [stop]
`);
    // The source drops and comes back (as the OpenClaw gateway does on a restart): usage is unknown until re-synced.
    world.daemon.fleet.setUp('demo', false);
    await world.demo.close();
    await world.demo.start();
    await world.daemon.sweep();
    expect(world.daemon.readiness().ready).toBe(true);
    const key = world.demo.createSession('backend', 'after-reconnect');
    world.demo.startRun(key, 'loop');
    world.clock.now += 30_000;
    world.demo.tick();
    await world.daemon.sweep();
    const stop = (await world.journal()).find((e) => e.type === 'action' && e.session === key);
    expect(stop).toMatchObject({ policy: 'cap', action: 'stop', result: 'done' });
  });

  it('writes the ledger only when it changed, so an idle daemon writes nothing', async () => {
    world = await startWorld(`${FLEET}\npolicies: []\n`);
    const file = join(world.dir, 'state', 'ledger.json');
    await world.daemon.flushLedger();
    const first = (await stat(file)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await world.daemon.flushLedger();
    expect((await stat(file)).mtimeMs).toBe(first);
    world.demo.startRun(DEMO_CAST.inefficient, 2);
    world.clock.now += 60_000;
    world.demo.tick();
    await world.daemon.flushLedger();
    expect((await stat(file)).mtimeMs).toBeGreaterThan(first);
  });
});
