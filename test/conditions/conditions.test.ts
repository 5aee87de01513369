import type { Hold } from '../../src/domain/decision.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileWhen, conditionModules } from '../../src/conditions/index.js';
import type { CompiledCondition, ConditionContext } from '../../src/conditions/index.js';
import { Ledger } from '../../src/ledger/index.js';
import type { Session, Usage } from '../../src/sources/source.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;

function session(over: Partial<Session> = {}): Session {
  return { source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', main: false, archived: false, active: false, startedAt: NOW - 2 * H, lastActivityAt: NOW - 30 * MIN, ...over };
}

/** A session context backed by a real ledger holding the given calls (minutes ago → usage). */
function context(calls: [number, Partial<Usage>][] = [], over: Partial<Session> = {}, extra: Partial<ConditionContext> = {}): ConditionContext {
  const ledger = new Ledger();
  calls.forEach(([ago, u], i) =>
    ledger.ingest({ source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', id: String(i + 1), at: NOW - ago * MIN, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, ...u }),
  );
  const usage = ledger.session('home', 'agent:a:s1', 'g1');
  return { now: NOW, session: session(over), ...(usage ? { usage } : {}), ...extra };
}

function compile(when: string, scope: 'session' | 'agent' | 'fleet' = 'session'): CompiledCondition {
  const result = compileWhen(parse(when), scope, conditionModules);
  if (!result.condition) throw new Error(JSON.stringify(result.problems));
  return result.condition;
}

const USAGE = [[90, { input: 150_000, output: 50_000, cacheRead: 20_000, cacheWrite: 11_402, cost: 26.1 }]] as [number, Partial<Usage>][];

/** A hold as the enforcer records it. */
function hold(kind: 'archive' | 'hold', action: 'pause' | 'kill'): Hold {
  return { source: 'home', key: 'k', generation: 'g1', agent: 'a', kind, action, by: 'policy', reason: `${action}: test`, at: NOW };
}

describe('conditions', () => {
  it.each<[string, ConditionContext, boolean, string]>([
    ['{ tokens.total: "> 200k" }', context(USAGE), true, 'tokens.total 231,402 > 200,000'],
    ['{ tokens.total: "> 300k" }', context(USAGE), false, 'tokens.total 231,402 > 300,000'],
    ['{ tokens.input: ">= 150k" }', context(USAGE), true, 'tokens.input 150,000 >= 150,000'],
    ['{ tokens.output: "< 10k" }', context(USAGE), false, 'tokens.output 50,000 < 10,000'],
    ['{ tokens.cache: "> 30k" }', context(USAGE), true, 'tokens.cache 31,402 > 30,000'],
    ['{ cost: "> $25" }', context(USAGE), true, 'cost $26.10 > $25.00'],
    ['{ cost: "== $26.10" }', context(USAGE), true, 'cost $26.10 == $26.10'],
    ['{ ratio.input_output: "> 2" }', context(USAGE), true, 'ratio.input_output 3 > 2'],
    ['{ ratio.input_output: "> 40" }', context([[1, { input: 5000 }]]), true, 'ratio.input_output ∞ > 40'],
    ['{ idle: "> 24h" }', context([], { lastActivityAt: NOW - 76 * H }), true, 'idle 3d 4h > 1d'],
    ['{ idle: "> 24h" }', context([], { lastActivityAt: NOW - 2 * H }), false, 'idle 2h > 1d'],
    ['{ idle: "> 10m" }', context([], { active: true, lastActivityAt: NOW - 2 * H }), false, 'idle 0s > 10m'],
    ['{ idle: "> 1h" }', context([[5, { input: 1 }]], { lastActivityAt: NOW - 2 * H }), false, 'idle 5m > 1h'],
    ['{ idle: "> 1h" }', context([], { lastActivityAt: undefined }), true, 'idle 2h > 1h'],
    ['{ idle: "> 1h" }', context([], { lastActivityAt: undefined, startedAt: undefined }), false, 'unknown'],
    ['{ age: "> 1h" }', context(), true, 'age 2h > 1h'],
    ['{ age: "< 1h" }', context(), false, 'age 2h < 1h'],
    ['{ runtime: "> 30m" }', context([], { active: true, runStartedAt: NOW - 45 * MIN }), true, 'runtime 45m > 30m'],
    ['{ runtime: "> 30m" }', context([], { active: false, runStartedAt: NOW - 45 * MIN }), false, 'runtime 0s > 30m'],
    [
      '{ burn: { tokens: "> 20k", per: 1m } }',
      context([
        [0.5, { input: 25_000 }],
        [3, { input: 90_000 }],
      ]),
      true,
      'burn tokens 25,000/1m > 20,000',
    ],
    ['{ burn: { tokens: "> 20k", per: 1m } }', context([[3, { input: 90_000 }]]), false, 'burn tokens 0/1m > 20,000'],
    [
      '{ burn: { cost: "> $1", per: 10m } }',
      context([
        [2, { cost: 0.6 }],
        [8, { cost: 0.6 }],
        [12, { cost: 5 }],
      ]),
      true,
      'burn cost $1.20/10m > $1.00',
    ],
    ['{ active: true }', context([], { active: true }), true, 'active'],
    ['{ active: false }', context([], { active: true }), false, 'active'],
    ['{ state: running }', context([], { active: true }), true, 'state running (running)'],
    ['{ state: [paused, held] }', context([], { main: true }, { hold: hold('hold', 'pause') }), true, 'state held (paused|held)'],
    ['{ state: [paused, held] }', context([], { archived: true }, { hold: hold('archive', 'pause') }), true, 'state paused (paused|held)'],
    // A pause that someone undid outside clawwarden is not a pause: the session is what the platform says.
    ['{ state: [paused, held] }', context([], {}, { hold: hold('archive', 'pause') }), false, 'state idle (paused|held)'],
    ['{ state: killed }', context([], { archived: true }, { hold: hold('archive', 'kill') }), true, 'state killed (killed)'],
    ['{ state: killed }', context([], { main: true }, { hold: hold('hold', 'kill') }), true, 'state killed (killed)'],
    ['{ state: stopped }', context([], { status: 'killed' }), true, 'state stopped (stopped)'],
    ['{ state: archived }', context([], { archived: true }), true, 'state archived (archived)'],
    ['{ state: idle }', context(), true, 'state idle (idle)'],
  ])('%s', (when, ctx, matched, text) => {
    const c = compile(when);
    const result = c.evaluate(ctx);
    expect(result.matched).toBe(matched);
    expect(result.unknown).toBe(text === 'unknown' ? true : undefined);
    expect(result.measurements.map((m) => m.text)).toEqual(text === 'unknown' ? [] : [text]);
    expect(c.holds!(ctx)).toBe(matched);
  });
});

describe('combinators', () => {
  const ctx = context(USAGE, { active: true, runStartedAt: NOW - 5 * MIN });
  it.each([
    ['{ all: [ { tokens.input: "> 50k" }, { ratio.input_output: "> 2" } ] }', true, ['tokens.input 150,000 > 50,000', 'ratio.input_output 3 > 2']],
    ['{ all: [ { tokens.input: "> 50k" }, { ratio.input_output: "> 40" } ] }', false, ['tokens.input 150,000 > 50,000', 'ratio.input_output 3 > 40']],
    ['{ any: [ { cost: "> $100" }, { active: true } ] }', true, ['active']],
    ['{ any: [ { cost: "> $100" }, { active: false } ] }', false, ['cost $26.10 > $100.00', 'active']],
    ['{ not: { cost: "> $100" } }', true, ['not (cost $26.10 > $100.00)']],
    ['{ not: { active: true } }', false, ['not (active)']],
    ['{ any: [ { not: { active: true } }, { all: [ { cost: "> $1" }, { runtime: "> 1m" } ] } ] }', true, ['cost $26.10 > $1.00', 'runtime 5m > 1m']],
    ['{ cost: "> $1", active: false }', false, ['cost $26.10 > $1.00', 'active']],
  ])('%s → %s', (when, matched, texts) => {
    const c = compile(when);
    const result = c.evaluate(ctx);
    expect(result.matched).toBe(matched);
    expect(result.measurements.map((m) => m.text)).toEqual(texts);
    expect(c.holds!(ctx)).toBe(matched);
  });
});

describe('unknown usage never fires', () => {
  const unknownLedger = new Ledger();
  unknownLedger.ingest({ source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', id: '1', at: NOW - MIN, input: 900_000, output: 1, cacheRead: 0, cacheWrite: 0, cost: 99 });
  unknownLedger.markUnknown('home');
  const stale = { now: NOW, session: session(), usage: unknownLedger.session('home', 'agent:a:s1', 'g1')! };
  const missing = { now: NOW, session: session() };
  it.each([
    ['{ tokens.total: "> 1k" }'],
    ['{ tokens.total: "< 1k" }'],
    ['{ cost: "> $1" }'],
    ['{ ratio.input_output: "> 2" }'],
    ['{ burn: { tokens: "> 1", per: 10m } }'],
    ['{ not: { cost: "> $1000" } }'],
    ['{ all: [ { cost: "> $1" }, { age: "> 1m" } ] }'],
    ['{ any: [ { cost: "> $1" }, { age: "> 1d" } ] }'],
  ])('%s', (when) => {
    const c = compile(when);
    for (const ctx of [stale, missing]) {
      const result = c.evaluate(ctx);
      expect(result).toMatchObject({ matched: false, unknown: true });
      expect(c.holds!(ctx)).toBe(false);
      // Session-only parts (age) still have a budget; usage parts contribute nothing.
      if (!when.includes('age')) expect(c.budget(ctx)).toBe(0);
    }
  });

  it('a known-false branch decides all even when another is unknown', () => {
    expect(compile('{ all: [ { cost: "> $1" }, { age: "> 1d" } ] }').evaluate(missing)).toMatchObject({ matched: false });
    expect(compile('{ all: [ { cost: "> $1" }, { age: "> 1d" } ] }').evaluate(missing).unknown).toBeUndefined();
  });
});

describe('aggregate scope', () => {
  const aggregate: Usage = { input: 100_000, output: 20_000, cacheRead: 0, cacheWrite: 0, cost: 30 };
  it.each([
    ['{ cost: "> $25" }', true],
    ['{ tokens.total: "> 200k" }', false],
    ['{ ratio.input_output: ">= 5" }', true],
    ['{ burn: { cost: "> $5", per: 1h } }', true],
  ])('%s reads the aggregate', (when, matched) => {
    const c = compile(when, 'agent');
    const ctx: ConditionContext = { now: NOW, aggregate, recent: () => ({ ...aggregate, cost: 6 }) };
    expect(c.evaluate(ctx).matched).toBe(matched);
  });

  it.each(['idle', 'age', 'runtime', 'active', 'state'])('%s is a config error in agent and fleet scope', (name) => {
    const value = name === 'active' ? true : name === 'state' ? 'idle' : '> 1h';
    for (const scope of ['agent', 'fleet'] as const) {
      const result = compileWhen({ any: [{ cost: '> $1' }, { [name]: value }] }, scope, conditionModules);
      expect(result.condition).toBeUndefined();
      expect(result.problems).toEqual([expect.objectContaining({ path: ['when', 'any', 1, name], message: expect.stringContaining(`cannot be used with scope: ${scope}`) as string })]);
    }
  });
});

describe('budget', () => {
  it.each([
    ['{ cost: "> $25" }', 26.1 / 25],
    ['{ tokens.total: "> 462804" }', 0.5],
    ['{ any: [ { cost: "> $50" }, { tokens.total: "> 462804" } ] }', 0.522],
    ['{ all: [ { cost: "> $50" }, { tokens.total: "> 462804" } ] }', 0.522],
    ['{ cost: "< $25" }', 0],
    ['{ not: { cost: "> $50" } }', 0],
    ['{ state: idle }', 0],
  ])('%s → %d', (when, ratio) => {
    expect(compile(when).budget(context(USAGE))).toBeCloseTo(ratio, 3);
  });
});
