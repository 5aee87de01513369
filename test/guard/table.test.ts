import { describe, expect, it } from 'vitest';
import type { WireCap, WireVerdict } from '../../guard/src/protocol.js';
import { VerdictTable, type Call } from '../../guard/src/table.js';

const KEY = 'agent:main:loop';
const T0 = 1_800_000_000_000;

const cap = (over: Partial<WireCap> = {}): WireCap => ({ policy: 'cap', metric: 'tokens.total', limit: 40_000, inclusive: false, hard: false, action: 'stop', ...over });
const verdict = (over: Partial<WireVerdict> = {}): WireVerdict => ({ key: KEY, generation: 'g1', state: 'allowed', since: T0, caps: [cap()], ...over });
const call = (tokens: number, at: number): Call => ({ input: tokens - 12, output: 12, cacheRead: 0, cacheWrite: 0, cost: tokens * 3e-6, at });

/** A connected table with one verdict and a run started at T0. */
function table(v: WireVerdict = verdict()): VerdictTable {
  const t = new VerdictTable({ failMode: 'open' });
  t.setConnected(true);
  t.apply({ type: 'hello', protocol: 1, version: 'test', source: 'gw', failMode: 'open', rules: [], verdicts: [v], at: T0 });
  t.runStarted({ key: KEY, sessionId: 'g1', runId: 'r1' }, T0);
  return t;
}

const subject = { key: KEY, sessionId: 'g1', runId: 'r1' };

describe('VerdictTable: states', () => {
  it.each([
    ['paused', /has paused session agent:main:loop \(budget\).*No model call was made.*clawwarden sessions resume agent:main:loop/],
    ['held', /has paused session agent:main:loop \(budget\) and holds it.*No model call was made.*Resume it with/],
    ['killed', /has killed session agent:main:loop/],
  ] as const)('refuses a run on a %s session with a message that says why and how to resume', (state, message) => {
    const t = table(verdict({ state, reason: 'budget' }));
    const d = t.admit(subject);
    expect(d).toMatchObject({ allow: false, state });
    expect(d.allow ? '' : d.message).toMatch(message);
    expect(t.toolCall(subject, T0 + 10)).toMatchObject({ allow: false, state });
  });

  it('a stopped verdict ends runs that started before it, not runs started after', () => {
    const t = table(verdict({ state: 'stopped', since: T0 + 5_000, reason: 'tokens.total 42,434 > 40,000 (policy cap)' }));
    expect(t.toolCall(subject, T0 + 6_000)).toMatchObject({ allow: false, state: 'stopped' });
    expect(t.admit({ key: KEY, runId: 'r2' })).toEqual({ allow: true });
    t.runStarted({ key: KEY, sessionId: 'g1', runId: 'r2' }, T0 + 20_000);
    expect(t.toolCall({ ...subject, runId: 'r2' }, T0 + 21_000)).toEqual({ allow: true });
  });

  it('allows a session whose verdict is allowed and under its caps', () => {
    const t = table();
    t.callCompleted(KEY, call(15_000, T0 + 100));
    expect(t.toolCall(subject, T0 + 200)).toEqual({ allow: true });
    expect(t.admit(subject)).toEqual({ allow: true });
  });
});

describe("VerdictTable: caps from the guard's own counts", () => {
  it('ends the run at the tool boundary after the call that crossed a cap (not hard)', () => {
    const t = table();
    t.callCompleted(KEY, call(15_500, T0 + 100));
    t.callCompleted(KEY, call(17_100, T0 + 200));
    expect(t.toolCall(subject, T0 + 210)).toEqual({ allow: true });
    t.callCompleted(KEY, call(18_800, T0 + 300));
    const d = t.toolCall(subject, T0 + 310);
    expect(d).toMatchObject({ allow: false, state: 'stopped', policy: 'cap' });
    expect(d.allow ? '' : d.message).toMatch(/tokens\.total 51,400 > 40,000 \(policy cap\)/);
    // A cap does not seal the session: a new run is admitted.
    expect(t.admit({ key: KEY, runId: 'r2' })).toEqual({ allow: true });
  });

  it('does not stop a later run of a session that was over a (not hard) cap before it started, as the daemon would not', () => {
    const t = table(verdict({ usage: { input: 50_000, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 }, through: T0 - 1 }));
    t.callCompleted(KEY, call(1_000, T0 + 100));
    expect(t.toolCall(subject, T0 + 200)).toEqual({ allow: true });
  });

  it("adds the daemon's count and the calls it has not counted yet, dropping those it has (by `through`)", () => {
    const t = table();
    t.callCompleted(KEY, call(20_000, T0 + 100));
    t.callCompleted(KEY, call(15_000, T0 + 200));
    // The daemon counted the first call: usage 20k through T0+100.
    t.apply({ type: 'verdict', verdict: verdict({ usage: { input: 19_988, output: 12, cacheRead: 0, cacheWrite: 0, cost: 0 }, through: T0 + 100 }) });
    expect(t.toolCall(subject, T0 + 210)).toEqual({ allow: true });
    t.callCompleted(KEY, call(6_000, T0 + 300));
    expect(t.toolCall(subject, T0 + 310)).toMatchObject({ allow: false, state: 'stopped' });
  });

  it('hard: stops before the projected next call would cross the cap, and refuses new runs there', () => {
    const t = table(verdict({ caps: [cap({ hard: true })] }));
    t.callCompleted(KEY, call(15_488, T0 + 100));
    // 15,488 + 1.25 × 15,488 = 34,848 ≤ 40,000: one known call allows the next.
    expect(t.toolCall(subject, T0 + 110)).toEqual({ allow: true });
    t.callCompleted(KEY, call(17_148, T0 + 200));
    // 32,636 + (17,148 + 1,660) = 51,444 > 40,000.
    const d = t.toolCall(subject, T0 + 210);
    expect(d).toMatchObject({ allow: false, state: 'over-cap', policy: 'cap' });
    expect(d.allow ? '' : d.message).toMatch(/at its hard cap \(tokens\.total 32,636 of 40,000; the next call \(about 18,808\) would cross it; policy cap\)/);
    const refused = t.admit({ key: KEY, runId: 'r2' });
    expect(refused).toMatchObject({ allow: false, state: 'over-cap' });
    expect(refused.allow ? '' : refused.message).toMatch(/refused a new run .* No model call was made/);
  });

  it('hard cost caps project the cost of the next call', () => {
    const t = table(verdict({ caps: [cap({ metric: 'cost', limit: 0.1, hard: true })] }));
    t.callCompleted(KEY, { ...call(15_000, T0 + 100), cost: 0.045 });
    t.callCompleted(KEY, { ...call(16_000, T0 + 200), cost: 0.048 });
    expect(t.toolCall(subject, T0 + 210)).toMatchObject({ allow: false, state: 'over-cap' });
  });

  it('a new generation (reset) counts from zero', () => {
    const t = table(verdict({ caps: [cap({ hard: true })] }));
    t.callCompleted(KEY, call(30_000, T0 + 100));
    t.callCompleted(KEY, call(30_000, T0 + 200));
    expect(t.admit({ key: KEY, sessionId: 'g1' })).toMatchObject({ allow: false });
    t.runStarted({ key: KEY, sessionId: 'g2', runId: 'r9' }, T0 + 1_000);
    expect(t.admit({ key: KEY, sessionId: 'g2', runId: 'r9' })).toEqual({ allow: true });
  });
});

describe('VerdictTable: without a verdict', () => {
  const rules = [{ cap: cap({ limit: 10_000 }), keys: ['^(?:agent:main:internal-[^/]*?)$'] }];

  it('applies the cap rules to sessions the daemon has not told it about (a hidden background run)', () => {
    const t = new VerdictTable({ failMode: 'open' });
    t.setConnected(true);
    t.apply({ type: 'hello', protocol: 1, version: 'test', source: 'gw', failMode: 'open', rules, verdicts: [], at: T0 });
    const hidden = { key: 'agent:main:internal-x', sessionId: 'h1', runId: 'review' };
    t.runStarted(hidden, T0);
    t.callCompleted(hidden.key, call(12_000, T0 + 100), 'h1');
    expect(t.toolCall(hidden, T0 + 110)).toMatchObject({ allow: false, state: 'stopped' });
    expect(t.toolCall({ key: 'agent:main:other', runId: 'x' }, T0)).toEqual({ allow: true });
  });

  it.each([
    ['open', true],
    ['closed', false],
  ] as const)('failMode %s while the daemon is unreachable: a session without a verdict is allowed=%s; sessions with one keep it', (failMode, allowed) => {
    const t = new VerdictTable({ failMode });
    t.apply({ type: 'hello', protocol: 1, version: 'test', source: 'gw', failMode, rules: [], verdicts: [verdict({ state: 'paused' })], at: T0 });
    t.setConnected(false);
    expect(t.admit({ key: 'agent:main:new' }).allow).toBe(allowed);
    expect(t.toolCall({ key: 'agent:main:new' }, T0).allow).toBe(allowed);
    const closed = t.admit({ key: 'agent:main:new' });
    if (!closed.allow) expect(closed.message).toMatch(/cannot be reached .* failMode: closed/);
    expect(t.admit(subject)).toMatchObject({ allow: false, state: 'paused' });
  });

  it('takeAttemptCalls hands out each call once, per llm_output', () => {
    const t = table();
    t.callCompleted(KEY, call(1_000, T0 + 1));
    t.callCompleted(KEY, call(2_000, T0 + 2));
    expect(t.takeAttemptCalls(KEY, 'r1')).toMatchObject({ input: 2_976, output: 24 });
    t.callCompleted(KEY, call(500, T0 + 3));
    expect(t.takeAttemptCalls(KEY, 'r1')).toMatchObject({ input: 488, output: 12 });
    expect(t.takeAttemptCalls(KEY, 'other')).toMatchObject({ input: 0, output: 0 });
  });
});
