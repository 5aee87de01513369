import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/run/args.js';
import { runToken, withRunOverrides } from '../../src/cli/run/overrides.js';
import { formatConfigError, loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/daemon/logger.js';
import { liveOutputsFactory } from '../../src/daemon/metrics-and-notifiers.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { DEMO_CAST, STORY, create, type DemoOptions, type DemoSource } from '../../src/sources/demo/index.js';
import type { SourceContext, SourceEvent } from '../../src/sources/source.js';
import type { JournalEntry } from '../../src/state/journal-types.js';
import { ifAssigned } from '../if-assigned.js';

const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);
const SECOND = 1_000;
const quiet: SourceContext['log'] = { info() {}, warn() {}, error() {}, debug() {} };

function demo(options: DemoOptions = {}): DemoSource {
  return create('demo', { seed: 42, tickMs: 60_000, ...options }, { now: () => T0, log: quiet });
}

describe('demo storyline on the source clock', () => {
  it('is off unless asked for: the cast alone makes no new sessions', async () => {
    const source = demo();
    await source.start();
    const before = (await source.inventory()).length;
    source.advance(10 * 60 * SECOND);
    expect((await source.inventory()).length).toBe(before);
    expect(source.peek(STORY.runaway)).toBeUndefined();
  });

  it('starts a new runaway at 20 s, not before, and more incidents every few minutes', async () => {
    const source = demo({ story: true });
    const created: { key: string; at: number }[] = [];
    source.subscribe((e) => e.type === 'session' && e.reason === 'create' && created.push({ key: e.session.key, at: (e.session.startedAt ?? 0) - T0 }));
    await source.start();
    source.advance(19 * SECOND);
    expect(source.peek(STORY.runaway)).toBeUndefined();
    source.advance(2 * SECOND);
    expect(source.peek(STORY.runaway)?.run).toBeDefined();
    source.advance(12 * 60 * SECOND);
    const kinds = created.map((c) => source.peek(c.key)?.profile.role);
    expect(kinds.filter((k) => k === 'runaway').length).toBeGreaterThanOrEqual(2);
    expect(kinds).toContain('big-reader');
    expect(new Set(created.filter((c) => c.key.startsWith(`agent:${STORY.budgetAgent}:`)).map((c) => c.at))).toEqual(new Set([STORY.budgetAt]));
    expect(created.filter((c) => c.at > 60 * SECOND).length).toBeGreaterThanOrEqual(4);
  });

  it('keeps healthy traffic flowing: many healthy sessions make calls within a minute', async () => {
    const source = demo({ story: true });
    const healthy = new Set<string>();
    source.subscribe((e) => e.type === 'usage' && source.peek(e.record.key)?.profile.role === 'healthy' && healthy.add(e.record.key));
    await source.start();
    source.advance(60 * SECOND);
    expect(healthy.size).toBeGreaterThanOrEqual(5);
  });

  it('runs --speed times faster: the runaway at 2 s with speed 10', async () => {
    const source = demo({ story: true, speed: 10 });
    await source.start();
    source.advance(1_900);
    expect(source.peek(STORY.runaway)).toBeUndefined();
    source.advance(200);
    expect(source.peek(STORY.runaway)).toBeDefined();
  });

  it('is deterministic however finely the clock is stepped', async () => {
    const coarse = demo({ story: true });
    const fine = demo({ story: true });
    await coarse.start();
    await fine.start();
    coarse.advance(5 * 60 * SECOND);
    for (let i = 0; i < 5 * 60 * 4; i++) fine.advance(250);
    expect(await fine.inventory()).toEqual(await coarse.inventory());
    expect(await fine.usage()).toEqual(await coarse.usage());
  });

  it('run --demo turns the storyline on with the --speed it was given', () => {
    const loaded = loadConfig({ demo: true, cwd: '/nonexistent', env: {} }).config!;
    const args = parseRunArgs(['--demo', '--speed', '3']);
    const config = withRunOverrides(loaded, args, runToken(args, loaded, {}));
    expect(config.sources[0]?.options).toMatchObject({ story: true, speed: 3 });
  });
});

describe('demo storyline under the real daemon, on a clock the test moves', () => {
  const clock = { now: T0 };
  let dir: string;
  let daemon: Daemon;
  let source: DemoSource;
  const usage: { key: string; at: number; tokensAfter: number }[] = [];

  /** Moves the clock in 100 ms steps (shorter than any model call gap); each step waits until the daemon has acted. */
  const pass = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 100) {
      clock.now += 100;
      source.tick();
      // A manual action on no keys queues behind the evaluations the tick's events queued: a barrier.
      await daemon.act('stop', [], { by: 'test', dryRun: true });
    }
  };
  const journal = async (): Promise<JournalEntry[]> => (await daemon.journal({ limit: 10_000 })).reverse();
  const actions = async (): Promise<string[]> =>
    (await journal()).filter((e) => e.type === 'action').map((e) => `${e.policy} ${e.action} ${e.session} ${e.result} +${(Date.parse(e.time) - T0) / 1000}s`);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-story-'));
    const loaded = loadConfig({ demo: true, cwd: dir, env: {} });
    if (!loaded.config) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
    const args = parseRunArgs(['--demo', '--state-dir', join(dir, 'state')]);
    const base = withRunOverrides(loaded.config, args, runToken(args, loaded.config, {}));
    // The test moves the fleet itself: its real-time timer is made too slow to matter.
    const config = { ...base, sources: base.sources.map((s) => ({ ...s, options: { ...s.options, tickMs: 60_000 } })) };
    const log = createLogger({ level: 'silent' });
    const metrics = createMetrics({ topSessions: 50, version: 'test', processMetrics: false, fleet: () => ({ sessions: [], budgets: [], usageUnknown: new Map() }) });
    daemon = await Daemon.start(config, { log, now: () => clock.now, outputs: liveOutputsFactory({ log, metrics, now: () => clock.now }) });
    source = daemon.fleet.source('demo') as DemoSource;
    source.subscribe((e: SourceEvent) => {
      if (e.type === 'usage') usage.push({ key: e.record.key, at: e.record.at, tokensAfter: source.peek(e.record.key)?.tokens() ?? 0 });
    });
  });
  afterAll(async () => {
    await ifAssigned(daemon)?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('acts on the standing problems in the first sweep, and on nothing of the storyline yet', async () => {
    const first = await actions();
    expect(first.some((a) => a.startsWith(`session-token-cap stop ${DEMO_CAST.runaway} done`))).toBe(true);
    expect(first.filter((a) => a.includes(STORY.runaway))).toEqual([]);
  });

  it('catches the new runaway after the start, within the model call that crossed the cap', async () => {
    await pass(35 * SECOND);
    const stops = (await actions()).filter((a) => a.startsWith(`session-token-cap stop ${STORY.runaway} done`));
    expect(stops).toHaveLength(1);
    const at = Number(/\+([\d.]+)s$/.exec(stops[0]!)?.[1]);
    expect(at).toBeGreaterThan(STORY.runawayAt / 1000);
    const calls = usage.filter((u) => u.key === STORY.runaway);
    const crossing = calls.findIndex((c) => c.tokensAfter > 200_000);
    expect(crossing).toBeGreaterThan(5);
    // Nothing after the call that crossed 200k: the usage event of that call re-evaluated the session and stopped it.
    expect(calls.slice(crossing + 1)).toEqual([]);
    expect(source.peek(STORY.runaway)?.run).toBeUndefined();
  });

  it('warns and then pauses the agent that crosses its daily budget, about a minute in', async () => {
    await pass(40 * SECOND);
    const entries = await journal();
    const budget = entries.filter((e) => e.policy === 'agent-daily-budget' && (e.agent === STORY.budgetAgent || e.plan?.subject === `agent ${STORY.budgetAgent}`));
    const warn = budget.find((e) => e.type === 'decision' && e.kind === 'warn');
    const pauses = budget.filter((e) => e.type === 'action' && e.action === 'pause' && e.result === 'done');
    expect(warn).toBeDefined();
    expect(pauses.length).toBeGreaterThanOrEqual(3);
    const pausedAt = Date.parse(pauses[0]!.time) - T0;
    expect(pausedAt).toBeGreaterThan(STORY.budgetAt);
    expect(pausedAt).toBeLessThan(75 * SECOND);
    expect(Date.parse(warn!.time)).toBeLessThanOrEqual(Date.parse(pauses[0]!.time));
    expect(source.peek(`agent:${STORY.budgetAgent}:board-forecast`)?.archived).toBe(true);
  });

  it('archives the session that turns a day idle, on the next sweep', async () => {
    await daemon.sweep();
    expect(source.peek(STORY.idle)?.archived).toBe(false);
    await pass(20 * SECOND);
    await daemon.sweep();
    expect(source.peek(STORY.idle)?.archived).toBe(true);
    expect((await actions()).some((a) => a.startsWith(`idle-cleanup cleanup ${STORY.idle} done`))).toBe(true);
  });
});
