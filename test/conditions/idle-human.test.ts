import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileWhen, conditionModules } from '../../src/conditions/index.js';
import type { CompiledCondition, ConditionContext } from '../../src/conditions/index.js';
import { UNKNOWN_REASON } from '../../src/conditions/idle-human.js';
import { Ledger } from '../../src/ledger/index.js';
import type { Session } from '../../src/sources/source.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

/** A main session kept busy by heartbeats: a person wrote 21 days ago, a heartbeat call 5 minutes ago. */
function heartbeatContext(over: Partial<Session> = {}, heartbeatAgoMin = 5): ConditionContext {
  const ledger = new Ledger();
  ledger.ingest({ source: 'home', key: 'agent:a:main', generation: 'g1', agent: 'a', id: '4', at: NOW - heartbeatAgoMin * MIN, input: 12_000, output: 12, cacheRead: 0, cacheWrite: 0, cost: 0.036 });
  const session: Session = {
    source: 'home',
    key: 'agent:a:main',
    generation: 'g1',
    agent: 'a',
    main: true,
    archived: false,
    active: false,
    startedAt: NOW - 22 * D,
    lastActivityAt: NOW - 21 * D,
    lastHumanAt: NOW - 21 * D,
    ...over,
  };
  return { now: NOW, session, usage: ledger.session('home', 'agent:a:main', 'g1')! };
}

function compile(when: string): CompiledCondition {
  const result = compileWhen(parse(when), 'session', conditionModules);
  if (!result.condition) throw new Error(JSON.stringify(result.problems));
  return result.condition;
}

describe('idle.human', () => {
  it('measures time since the last human input, where heartbeat calls keep plain idle near zero', () => {
    const ctx = heartbeatContext();
    const human = compile('{ idle.human: "> 3d" }').evaluate(ctx);
    expect(human).toMatchObject({ matched: true, measurements: [expect.objectContaining({ text: 'idle.human 3w > 3d', value: 21 * D })] });
    // The same session by the platform's last activity: the heartbeat call 5 minutes ago counts, so it is not idle.
    const plain = compile('{ idle: "> 3d" }').evaluate(ctx);
    expect(plain).toMatchObject({ matched: false, measurements: [expect.objectContaining({ text: 'idle 5m > 3d' })] });
  });

  it('is not reset by a run in progress: a heartbeat run is not a person', () => {
    const ctx = heartbeatContext({ active: true, runStartedAt: NOW - 2_000 });
    expect(compile('{ idle.human: "> 3d" }').evaluate(ctx).matched).toBe(true);
    expect(compile('{ idle: "> 3d" }').evaluate(ctx).matched).toBe(false);
  });

  it('does not match when a person wrote recently', () => {
    const ctx = heartbeatContext({ lastHumanAt: NOW - 2 * H });
    expect(compile('{ idle.human: "> 3d" }').evaluate(ctx)).toMatchObject({ matched: false, measurements: [expect.objectContaining({ text: 'idle.human 2h > 3d' })] });
    expect(compile('{ idle.human: "< 3h" }').evaluate(ctx).matched).toBe(true);
  });

  it('never matches on a guess: unknown last human input is unknown, with the reason, even for a "<" threshold', () => {
    const ctx = heartbeatContext({ lastHumanAt: undefined });
    for (const when of ['{ idle.human: "> 1s" }', '{ idle.human: "< 100d" }']) {
      const c = compile(when);
      expect(c.evaluate(ctx)).toEqual({ matched: false, unknown: true, reason: UNKNOWN_REASON, measurements: [] });
      expect(c.holds!(ctx)).toBe(false);
      expect(c.budget(ctx)).toBe(0);
    }
    // Neither the start of the session nor its last activity stands in for it.
    expect(UNKNOWN_REASON).toMatch(/no human input is known/);
  });

  it('a clock behind the last human input reads 0, not a negative time', () => {
    const ctx = heartbeatContext({ lastHumanAt: NOW + 5_000 });
    expect(compile('{ idle.human: ">= 0s" }').evaluate(ctx).measurements[0]?.value).toBe(0);
  });

  it('feeds the budget bar like idle does (value / threshold)', () => {
    expect(compile('{ idle.human: "> 42d" }').budget(heartbeatContext())).toBeCloseTo(0.5, 5);
  });

  it('combines with idle: human-idle but still spending is the heartbeat burn', () => {
    const burning = compile('{ all: [ { idle.human: "> 3d" }, { idle: "< 1h" } ] }');
    expect(burning.evaluate(heartbeatContext()).matched).toBe(true);
    // Quiet for a day on both measures: abandoned, but it costs nothing now.
    expect(burning.evaluate(heartbeatContext({}, 24 * 60)).matched).toBe(false);
  });

  it.each([
    ['"> soon"', /duration|unit|expected/i],
    ['"> 20k"', /duration|unit/i],
  ])('rejects %s', (value, message) => {
    const result = compileWhen(parse(`{ idle.human: ${value} }`), 'session', conditionModules);
    expect(result.condition).toBeUndefined();
    expect(JSON.stringify(result.problems)).toMatch(message);
  });

  it.each(['agent', 'fleet'] as const)('is a config error in %s scope', (scope) => {
    const result = compileWhen({ idle: undefined, 'idle.human': '> 1h' }, scope, conditionModules);
    expect(result.condition).toBeUndefined();
    expect(JSON.stringify(result.problems)).toContain(`cannot be used with scope: ${scope}`);
  });
});
