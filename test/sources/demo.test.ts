import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatConfigError, loadConfig } from '../../src/config/index.js';
import { evaluate } from '../../src/engine/index.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { sourceModules } from '../../src/sources/index.js';
import type { DemoOptions, DemoSource } from '../../src/sources/demo/index.js';
import { DEMO_AGENTS, DEMO_CAST, DEMO_CONFIG_YAML, create, demoSourceModule } from '../../src/sources/demo/index.js';
import type { Session, SourceContext, SourceEvent, UsageBaseline } from '../../src/sources/source.js';
import type { ContractHarness } from './contract.js';
import { describeSourceContract } from './contract.js';

const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const quiet: SourceContext['log'] = { info() {}, warn() {}, error() {}, debug() {} };

/** A demo fleet on a frozen clock: only `advance` moves it, so every run of a test sees the same story. */
function demo(options: DemoOptions = {}, t0 = T0): DemoSource {
  return create('demo', { seed: 7, tickMs: 60_000, ...options }, { now: () => t0, log: quiet });
}

async function started(source: DemoSource): Promise<{ events: SourceEvent[]; inventory: Session[]; usage: UsageBaseline[] }> {
  const events: SourceEvent[] = [];
  source.subscribe((e) => events.push(e));
  await source.start();
  return { events, inventory: await source.inventory(), usage: await source.usage() };
}

const tokens = (u: UsageBaseline): number => u.input + u.output + u.cacheRead + u.cacheWrite;
const todayCost = (usage: UsageBaseline[], agent: string, date: string): number =>
  usage.filter((u) => u.agent === agent).reduce((sum, u) => sum + (u.daily?.find((d) => d.date === date)?.cost ?? 0), 0);

function demoHarness(): ContractHarness {
  const source = demo();
  const step = 100;
  return {
    module: demoSourceModule,
    source,
    driver: {
      createSession: async () => source.createSession('contract'),
      mainSession: async () => (source.peek('agent:contract:main') ? 'agent:contract:main' : source.createSession('contract', 'main')),
      startRun: async (key) => source.startRun(key, 'loop'),
      produceUsage: async (key) => {
        const start = source.startRun(key, 1);
        if (!start.started) throw new Error(start.detail);
        for (let i = 0; i < 1_000 && source.peek(key)?.run; i++) source.advance(step);
      },
      pass: async (ms) => source.advance(ms),
      waitFor: async (predicate, timeoutMs) => {
        for (let waited = 0; ; waited += step) {
          if (await predicate()) return true;
          if (waited >= timeoutMs) return false;
          source.advance(step);
        }
      },
    },
  };
}

describeSourceContract('demo', async () => demoHarness());

describe('demo source module', () => {
  it('is in the source registry under its name, with all six capabilities', () => {
    expect(sourceModules.map((m) => m.name)).toContain('demo');
    expect(sourceModules.find((m) => m.name === 'demo')).toBe(demoSourceModule);
    expect([...demoSourceModule.capabilities].sort()).toEqual(['cleanup', 'compact', 'kill', 'pause', 'resume', 'stop']);
  });

  it('has an example whose source entry uses only options its schema declares', () => {
    const entry = (parse(demoSourceModule.example) as { sources: Record<string, unknown>[] }).sources[0] ?? {};
    const declared = Object.keys((demoSourceModule.schema as { properties: object }).properties);
    expect(entry).toMatchObject({ type: 'demo' });
    for (const key of Object.keys(entry).filter((k) => k !== 'name' && k !== 'type')) expect(declared).toContain(key);
  });
});

describe('demo fleet at t0', () => {
  it('is a team of 13 agents with main sessions that are marked main', async () => {
    const { inventory } = await started(demo());
    expect(new Set(inventory.map((s) => s.agent))).toEqual(new Set(DEMO_AGENTS));
    const mains = inventory.filter((s) => s.key.endsWith(':main'));
    expect(mains.length).toBeGreaterThanOrEqual(8);
    for (const s of inventory) {
      expect(s.key).toMatch(/^agent:[a-z0-9-]+:[a-z0-9-]+$/);
      expect(s.key.startsWith(`agent:${s.agent}:`)).toBe(true);
      expect(s.main).toBe(s.key.endsWith(':main'));
      expect(s.generation).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('has a runaway loop already past 200k tokens and running', async () => {
    const { inventory, usage } = await started(demo());
    const runaway = inventory.find((s) => s.key === DEMO_CAST.runaway);
    expect(runaway).toMatchObject({ active: true, archived: false, main: false, agent: 'backend' });
    expect(T0 - (runaway?.lastActivityAt ?? 0)).toBeLessThan(1_000);
    const u = usage.find((b) => b.key === DEMO_CAST.runaway);
    expect(tokens(u as UsageBaseline)).toBeGreaterThan(200_000);
    // The only session past the demo's 200k cap.
    expect(usage.filter((b) => tokens(b) > 200_000).map((b) => b.key)).toEqual([DEMO_CAST.runaway]);
  });

  it('has one session idle for days, not archived', async () => {
    const { inventory } = await started(demo());
    const idle = inventory.find((s) => s.key === DEMO_CAST.idle);
    expect(idle).toMatchObject({ active: false, archived: false, main: false });
    expect(T0 - (idle?.lastActivityAt ?? T0)).toBeGreaterThanOrEqual(3 * DAY);
    expect(inventory.filter((s) => T0 - (s.lastActivityAt ?? T0) > DAY).map((s) => s.key)).toEqual([DEMO_CAST.idle]);
  });

  it('knows when a person last started work in every session: never after its last activity, moved by a new run', async () => {
    const source = demo();
    const { inventory } = await started(source);
    for (const s of inventory) {
      expect(s.lastHumanAt, s.key).toBeTypeOf('number');
      expect(s.lastHumanAt!, s.key).toBeLessThanOrEqual(s.lastActivityAt!);
    }
    const idle = inventory.find((s) => s.key === DEMO_CAST.idle)!;
    expect(T0 - idle.lastHumanAt!).toBeGreaterThanOrEqual(3 * DAY);
    const key = 'agent:docs:api-reference';
    const before = inventory.find((s) => s.key === key)!.lastHumanAt!;
    source.advance(2 * HOUR);
    const after = (await source.inventory()).find((s) => s.key === key)!;
    expect(after.lastHumanAt!).toBeGreaterThan(before);
  });

  it('has one session with high input and tiny output', async () => {
    const { usage } = await started(demo());
    const u = usage.find((b) => b.key === DEMO_CAST.inefficient) as UsageBaseline;
    expect(u.input).toBeGreaterThan(140_000);
    expect(u.output).toBeLessThan(3_500);
    expect(u.input / u.output).toBeGreaterThan(40);
    const inefficient = usage.filter((b) => b.input > 50_000 && b.input / Math.max(1, b.output) > 40);
    expect(inefficient.map((b) => b.key)).toEqual([DEMO_CAST.inefficient]);
  });

  const times: [string, number][] = [
    ['mid-afternoon', T0],
    ['half a minute after midnight', Date.UTC(2026, 10, 25, 0, 0, 30)],
    ['exactly midnight', Date.UTC(2026, 10, 25)],
    ['just before midnight', Date.UTC(2026, 10, 25) - 1_000],
  ];
  it.each(times)('has one agent over $25 today, none else above $20 (%s)', async (_, t0) => {
    const { usage } = await started(demo({}, t0));
    const date = new Date(t0).toISOString().slice(0, 10);
    expect(todayCost(usage, DEMO_CAST.overBudgetAgent, date)).toBeGreaterThan(25);
    for (const agent of DEMO_AGENTS.filter((a) => a !== DEMO_CAST.overBudgetAgent)) {
      expect(todayCost(usage, agent, date), agent).toBeLessThan(20);
    }
    // Each of its sessions alone stays under the session cap: it is the sum that is too much.
    for (const u of usage.filter((b) => b.agent === DEMO_CAST.overBudgetAgent)) expect(tokens(u), u.key).toBeLessThan(200_000);
  });

  it('prices calls like OpenClaw: $3 in / $15 out / $0.30 cache read per 1M on the standard model', async () => {
    const source = demo();
    const { events } = await started(source);
    source.advance(2_000);
    const call = events.find((e) => e.type === 'usage' && e.record.key === DEMO_CAST.runaway);
    expect(call?.type).toBe('usage');
    if (call?.type !== 'usage') return;
    const r = call.record;
    expect(r.cost).toBeCloseTo((r.input * 3 + r.output * 15 + r.cacheRead * 0.3) / 1e6, 12);
  });
});

describe('demo fleet over time', () => {
  it('is deterministic from the seed, however finely the clock is stepped', async () => {
    const coarse = demo();
    const fine = demo();
    await coarse.start();
    await fine.start();
    coarse.advance(30 * MINUTE);
    for (let i = 0; i < 30 * 60; i++) fine.advance(1_000);
    expect(await fine.inventory()).toEqual(await coarse.inventory());
    expect(await fine.usage()).toEqual(await coarse.usage());
    const other = demo({ seed: 8 });
    await other.start();
    expect((await other.inventory()).map((s) => s.generation)).not.toEqual((await coarse.inventory()).map((s) => s.generation));
  });

  it('keeps the runaway burning — a call every ~400 ms, prompts 12k → 24k — until it is stopped', async () => {
    const source = demo();
    const { events } = await started(source);
    source.advance(10_000);
    const calls = events.flatMap((e) => (e.type === 'usage' && e.record.key === DEMO_CAST.runaway ? [e.record] : []));
    expect(calls.length).toBeGreaterThanOrEqual(22);
    expect(calls.length).toBeLessThanOrEqual(29);
    for (const c of calls) expect(c.input).toBeGreaterThan(23_000);
    const ids = calls.map((c) => Number(c.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBe(21);

    const fresh = demo();
    const early = fresh.peek(DEMO_CAST.runaway);
    expect(early?.profile.input).toEqual([12_000, 24_000]);

    const runaway = (await source.inventory()).find((s) => s.key === DEMO_CAST.runaway) as Session;
    const result = await source.perform({ action: 'stop', key: runaway.key, generation: runaway.generation });
    expect(result.status).toBe('done');
    const before = (await source.usage([DEMO_CAST.runaway]))[0] as UsageBaseline;
    const seen = events.length;
    source.advance(HOUR);
    expect(events.slice(seen).filter((e) => e.type === 'usage' && e.record.key === DEMO_CAST.runaway)).toEqual([]);
    expect((await source.usage([DEMO_CAST.runaway]))[0]).toEqual(before);
    expect((await source.inventory()).find((s) => s.key === DEMO_CAST.runaway)).toMatchObject({ active: false, status: 'killed' });
  });

  it('keeps its agents trying to work: a paused session stays quiet, and works again once resumed', async () => {
    const source = demo();
    const { events } = await started(source);
    const key = 'agent:docs:api-reference';
    const s = (await source.inventory()).find((x) => x.key === key) as Session;
    expect((await source.perform({ action: 'pause', key, generation: s.generation })).status).toBe('done');
    const seen = events.length;
    source.advance(2 * HOUR);
    expect(events.slice(seen).filter((e) => e.type === 'usage' && e.record.key === key)).toEqual([]);
    expect(source.peek(key)?.refusedAttempts).toBeGreaterThanOrEqual(4);
    expect((await source.perform({ action: 'resume', key, generation: s.generation })).status).toBe('done');
    source.advance(HOUR);
    expect(events.slice(seen).filter((e) => e.type === 'usage' && e.record.key === key).length).toBeGreaterThan(0);
  });

  it('keeps the over-budget agent spending, slowly', async () => {
    const source = demo();
    const { events } = await started(source);
    source.advance(HOUR);
    const spent = events.flatMap((e) => (e.type === 'usage' && e.record.agent === DEMO_CAST.overBudgetAgent ? [e.record.cost] : []));
    const total = spent.reduce((a, b) => a + b, 0);
    expect(spent.length).toBeGreaterThanOrEqual(20);
    expect(total).toBeGreaterThan(5);
    expect(total).toBeLessThan(20);
  });

  it('runs `speed` times busier at a higher speed, on the same clock', async () => {
    const count = async (speed: number): Promise<number> => {
      const source = demo({ speed });
      const { events } = await started(source);
      source.advance(10_000);
      return events.filter((e) => e.type === 'usage' && e.record.key === DEMO_CAST.runaway).length;
    };
    const [normal, fast] = [await count(1), await count(10)];
    expect(fast).toBeGreaterThan(normal * 8);
    expect(fast).toBeLessThan(normal * 12);
  });

  it('advances by itself on its timer once started, on the injected clock', async () => {
    const source = create('demo', { seed: 7, tickMs: 20 }, { now: () => Date.now(), log: quiet });
    const call = new Promise<SourceEvent>((resolve) => source.subscribe((e) => e.type === 'usage' && resolve(e)));
    await source.start();
    const event = await call;
    await source.close();
    expect(event).toMatchObject({ type: 'usage', record: { key: DEMO_CAST.runaway } });
  });

  it('keeps healthy sessions healthy for a whole day: rolled before 200k tokens, every other agent under $20 a day', async () => {
    const source = demo();
    const { events, inventory } = await started(source);
    const runaway = inventory.find((s) => s.key === DEMO_CAST.runaway) as Session;
    await source.perform({ action: 'stop', key: runaway.key, generation: runaway.generation });
    let maxHealthy = 0;
    const perDay = new Map<string, number>();
    source.subscribe((e) => {
      if (e.type !== 'usage') return;
      const role = source.peek(e.record.key)?.profile.role;
      if (role === 'healthy') maxHealthy = Math.max(maxHealthy, source.peek(e.record.key)?.tokens() ?? 0);
      const day = `${e.record.agent} ${new Date(e.record.at).toISOString().slice(0, 10)}`;
      perDay.set(day, (perDay.get(day) ?? 0) + e.record.cost);
    });
    source.advance(DAY);
    expect(maxHealthy).toBeGreaterThan(50_000);
    expect(maxHealthy).toBeLessThan(200_000);
    expect(events.some((e) => e.type === 'session' && e.reason === 'reset')).toBe(true);
    for (const [day, cost] of perDay) if (!day.startsWith(`${DEMO_CAST.overBudgetAgent} `)) expect(cost, day).toBeLessThan(20);
  });

  it('scales with sessions: 1000 extra quiet background sessions', async () => {
    const { inventory, usage } = await started(demo({ sessions: 1_000 }));
    const base = (await started(demo())).inventory.length;
    expect(inventory.length).toBe(base + 1_000);
    const workers = inventory.filter((s) => s.agent.startsWith('worker-'));
    expect(workers.length).toBe(1_000);
    expect(new Set(workers.map((s) => s.key)).size).toBe(1_000);
    for (const s of workers) {
      expect(T0 - (s.lastActivityAt ?? 0)).toBeLessThan(DAY);
      expect(s.main).toBe(false);
    }
    for (const u of usage.filter((b) => b.agent.startsWith('worker-'))) expect(tokens(u)).toBeLessThan(200_000);
  });

  it('rolls a session into a new generation on reset, and the old generation is then stale', async () => {
    const source = demo();
    const { events } = await started(source);
    const key = 'agent:qa:regression-suite';
    const old = (await source.inventory()).find((s) => s.key === key) as Session;
    expect(source.reset(key)).toBe(true);
    const now = (await source.inventory()).find((s) => s.key === key) as Session;
    expect(now.generation).not.toBe(old.generation);
    expect(events).toContainEqual(expect.objectContaining({ type: 'session', reason: 'reset' }));
    expect((await source.usage([key]))[0]).toMatchObject({ generation: now.generation, input: 0, output: 0 });
    const stale = await source.perform({ action: 'kill', key, generation: old.generation });
    expect(stale.status).toBe('refused');
    expect(stale.detail).toContain(now.generation);
  });

  it('compacts a bloated context with one model call', async () => {
    const source = demo();
    const { events } = await started(source);
    const s = (await source.inventory()).find((x) => x.key === DEMO_CAST.inefficient) as Session;
    const seen = events.length;
    const result = await source.perform({ action: 'compact', key: s.key, generation: s.generation });
    expect(result.status).toBe('done');
    const spent = events.slice(seen).filter((e) => e.type === 'usage' && e.record.key === s.key);
    expect(spent).toHaveLength(1);
    expect(source.peek(s.key)?.context).toBeLessThan(1_000);
  });
});

describe('demo config', () => {
  it('loads and validates with the real config loader as <demo>', () => {
    const result = loadConfig({ demo: true, cwd: '/nonexistent', env: {} });
    expect(result.errors.map(formatConfigError)).toEqual([]);
    expect(result.config?.file).toBe('<demo>');
    expect(result.config?.policies.map((p) => p.name)).toHaveLength(5);
  });

  const config = parse(DEMO_CONFIG_YAML) as {
    sources: { name: string; type: string }[];
    mode: string;
    http: { listen: string };
    policies: { name: string; scope?: string; window?: object; warn?: string; do: unknown[] }[];
    notifiers?: unknown;
    stateDir?: unknown;
  };

  it('catches each demo problem with the policy meant for it, and nothing healthy (engine + ledger at t0)', async () => {
    const loaded = loadConfig({ demo: true, cwd: '/nonexistent', env: {} }).config;
    expect(loaded).toBeDefined();
    const source = create('demo', loaded?.sources[0]?.options ?? {}, { now: () => T0, log: quiet });
    const ledger = new Ledger();
    source.subscribe((e) => e.type === 'usage' && ledger.ingest(e.record));
    await source.start();
    for (const b of await source.usage()) ledger.applyBaseline(b);
    ledger.markKnown('demo');
    const state = { episodes: new Map(), warned: new Set<string>(), holds: new Map() };
    const result = evaluate({ sessions: await source.inventory(), ledger, policies: loaded?.policies ?? [], state, now: source.now(), mode: 'enforce' });
    const caught = (r: typeof result): string[] =>
      r.decisions
        .filter((d) => d.kind === 'violation')
        .map((d) => `${d.policy} ${d.subject}`)
        .sort();
    // At t0 the runaway's history is a baseline with no per-call timing: its burn rate is not known yet.
    expect(caught(result)).toEqual([
      `agent-daily-budget agent ${DEMO_CAST.overBudgetAgent}`,
      `idle-cleanup session ${DEMO_CAST.idle}`,
      `inefficient-sessions session ${DEMO_CAST.inefficient}`,
      `session-token-cap session ${DEMO_CAST.runaway}`,
    ]);
    // After a minute of live calls the burn rate is measured, and only the runaway burns that fast.
    source.advance(61_000);
    const later = evaluate({ sessions: await source.inventory(), ledger, policies: loaded?.policies ?? [], state, now: source.now(), mode: 'enforce' });
    expect(caught(later).filter((c) => c.startsWith('burn-rate'))).toEqual([`burn-rate session ${DEMO_CAST.runaway}`]);
  });

  it('runs the demo source, enforcing, on 127.0.0.1:9464, with no notifiers and the default stateDir', () => {
    expect(config.sources).toEqual([expect.objectContaining({ name: 'demo', type: 'demo' })]);
    expect(config.mode).toBe('enforce');
    expect(config.http.listen).toBe('127.0.0.1:9464');
    expect(config.notifiers).toBeUndefined();
    expect(config.stateDir).toBeUndefined();
  });

  it('has a policy for each demo problem', () => {
    expect(config.policies.map((p) => p.name)).toEqual(['session-token-cap', 'inefficient-sessions', 'idle-cleanup', 'burn-rate', 'agent-daily-budget']);
    expect(config.policies[4]).toMatchObject({ scope: 'agent', window: { every: 'day', at: '00:00', tz: 'UTC' }, warn: '80%', do: ['notify', 'pause'] });
  });
});
