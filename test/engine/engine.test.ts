import { describe, expect, it } from 'vitest';
import { budgetsFor, createEngine, EngineInputError, evaluate } from '../../src/engine/index.js';
import type { Engine, EvaluationInput, EvaluationResult } from '../../src/engine/index.js';
import { Ledger } from '../../src/ledger/index.js';
import type { LedgerView } from '../../src/ledger/index.js';
import type { Policy } from '../../src/policy/types.js';
import type { Session } from '../../src/sources/source.js';
import { benchFleet, benchPolicies } from '../../src/bench/engine.js';
import { policy } from '../policy/fixtures.js';
import { H, MIN, NOW, session, spend, state } from './fixtures.js';

const POLICIES = benchPolicies();
const SESSION_POLICIES = POLICIES.filter((p) => p.scope !== 'fleet');

/** Evaluates with the persistent engine and with a fresh one-shot evaluate; they must agree exactly. */
function both(engine: Engine, input: Omit<EvaluationInput, 'policies' | 'state' | 'mode'> & Partial<EvaluationInput>): EvaluationResult {
  const full: EvaluationInput = { policies: engine.policies, state: state(), mode: 'enforce', ...input };
  const kept = engine.evaluate(full);
  expect(kept).toEqual(evaluate(full));
  return kept;
}

function fleet(n = 1200) {
  const { sessions, ledger } = benchFleet(n);
  return { sessions, ledger, engine: createEngine(POLICIES) };
}

const ids = (r: EvaluationResult) => r.decisions.map((d) => d.id);

describe('createEngine: the memo never changes a result', () => {
  it('evaluating twice gives what a fresh evaluate gives, decisions and aggregates alike', () => {
    const { sessions, ledger, engine } = fleet();
    const first = both(engine, { sessions, ledger, now: NOW });
    expect(first.decisions.length).toBeGreaterThan(10);
    expect(first.aggregates.length).toBeGreaterThan(10);
    expect(new Set(first.decisions.map((d) => d.kind))).toEqual(new Set(['violation', 'warn']));
    expect(both(engine, { sessions, ledger, now: NOW })).toEqual(first);
    expect(both(engine, { sessions, ledger, now: NOW + 10 * MIN }).decisions).not.toEqual(first.decisions);
  });

  it('follows usage added to existing entries (agent sums and session totals)', () => {
    const { sessions, ledger, engine } = fleet();
    const before = both(engine, { sessions, ledger, now: NOW });
    const s = sessions[7]!;
    ledger.ingest({ source: s.source, key: s.key, generation: s.generation, agent: s.agent, id: 'big', at: NOW - MIN, input: 3_000_000, output: 1000, cacheRead: 0, cacheWrite: 0, cost: 40 });
    const after = both(engine, { sessions, ledger, now: NOW });
    expect(ids(after)).toContain(`session-hard-cap|home|${s.key}|${s.generation}|e1|s0`);
    expect(after.decisions.some((d) => d.scope === 'agent' && d.subject === `agent ${s.agent}` && d.kind === 'violation')).toBe(true);
    expect(ids(before)).not.toContain(`session-hard-cap|home|${s.key}|${s.generation}|e1|s0`);
  });

  it('follows new entries, new sessions, replaced Session objects and a reordered inventory', () => {
    const { sessions, ledger, engine } = fleet();
    // In the inventory before the ledger has heard of it: its first call creates the entry.
    const late = session('agent:backend-5:late', { agent: 'backend-5', generation: 'l1' });
    sessions.push(late);
    both(engine, { sessions, ledger, now: NOW });
    spend(ledger, late, NOW - MIN, { input: 2_500_000 });
    expect(ids(both(engine, { sessions, ledger, now: NOW }))).toContain('session-hard-cap|home|agent:backend-5:late|l1|e1|s0');
    const fresh = session('agent:backend-3:new', { agent: 'backend-3', generation: 'n1' });
    spend(ledger, fresh, NOW - MIN, { input: 250_000 });
    const grown = [...sessions, fresh];
    expect(ids(both(engine, { sessions: grown, ledger, now: NOW }))).toContain('session-token-cap|home|agent:backend-3:new|n1|e1|s0');
    // The daemon replaces a changed session's object: a new generation, a different agent, a run that ended.
    const replaced = grown.map((s, i) => (i % 3 === 0 ? { ...s, active: !s.active, agent: i % 2 === 0 ? s.agent : 'ops-9', generation: i % 5 === 0 ? `${s.generation}-b` : s.generation } : s));
    both(engine, { sessions: replaced, ledger, now: NOW });
    both(engine, { sessions: [...replaced].reverse(), ledger, now: NOW });
    both(engine, { sessions: replaced.slice(0, 100), ledger, now: NOW });
    both(engine, { sessions: replaced, ledger, now: NOW });
  });

  it('follows baselines, unknown and known again, pruning, and a ledger replaced by its reload', () => {
    const { sessions, ledger, engine } = fleet();
    both(engine, { sessions, ledger, now: NOW });
    const s = sessions[11]!;
    ledger.applyBaseline({ source: s.source, key: s.key, generation: s.generation, agent: s.agent, input: 9_000_000, output: 0, cacheRead: 0, cacheWrite: 0, cost: 90, lastActivityAt: NOW - H });
    expect(ids(both(engine, { sessions, ledger, now: NOW }))).toContain(`session-hard-cap|home|${s.key}|${s.generation}|e1|s0`);
    ledger.markUnknown('home');
    const unknown = both(engine, { sessions, ledger, now: NOW });
    expect(unknown.notes.some((n) => n.includes('not known yet'))).toBe(true);
    ledger.markKnown('home');
    both(engine, { sessions, ledger, now: NOW });
    expect(ledger.prune(NOW, 5 * H)).toBeGreaterThan(0);
    both(engine, { sessions, ledger, now: NOW });
    both(engine, { sessions, ledger: Ledger.fromJSON(JSON.parse(JSON.stringify(ledger.toJSON()))), now: NOW });
  });

  it('stays exact across more changes than the ledger logs, and with usage later than now (clock skew)', () => {
    const { sessions, ledger, engine } = fleet();
    both(engine, { sessions, ledger, now: NOW });
    for (let i = 0; i < 5000; i++) {
      const s = sessions[(i * 37) % sessions.length]!;
      ledger.ingest({ source: s.source, key: s.key, generation: s.generation, agent: s.agent, id: `m${i}`, at: NOW - 1000, input: 10, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0.013 });
    }
    both(engine, { sessions, ledger, now: NOW });
    const s = sessions[5]!;
    ledger.ingest({ source: s.source, key: s.key, generation: s.generation, agent: s.agent, id: 'future', at: NOW + 10 * MIN, input: 1, output: 1, cacheRead: 0, cacheWrite: 0, cost: 30 });
    both(engine, { sessions, ledger, now: NOW });
    both(engine, { sessions, ledger, now: NOW + 5 * MIN });
    const later = both(engine, { sessions, ledger, now: NOW + 11 * MIN });
    expect(later.decisions.some((d) => d.subject === `agent ${s.agent}` && d.kind === 'violation')).toBe(true);
  });

  it('with a ledger view that keeps no versions, asks it every time', () => {
    const { sessions, ledger, engine } = fleet(300);
    const plain: LedgerView = { session: (source, key, generation) => ledger.session(source, key, generation), entries: () => ledger.entries() };
    both(engine, { sessions, ledger: plain, now: NOW });
    const s = sessions[3]!;
    spend(ledger, s, NOW - MIN, { input: 3_000_000 });
    expect(ids(both(engine, { sessions, ledger: plain, now: NOW }))).toContain(`session-hard-cap|home|${s.key}|${s.generation}|e1|s0`);
  });

  it('evaluates an in-order part of its policies (event evaluations leave out fleet policies) as evaluate would', () => {
    const { sessions, ledger, engine } = fleet();
    const agent = sessions[0]!.agent;
    const mine = sessions.filter((s) => s.agent === agent);
    both(engine, { sessions: mine, ledger, policies: SESSION_POLICIES, now: NOW });
    both(engine, { sessions, ledger, now: NOW });
    both(engine, { sessions: mine, ledger, policies: [...SESSION_POLICIES], now: NOW });
  });

  it('refuses a policy that is not its own, or out of order, with a typed error', () => {
    const engine = createEngine(POLICIES);
    const stranger = policy(`{ name: stranger, when: { tokens.total: "> 1" }, do: stop }`);
    const input = { sessions: [], ledger: new Ledger(), state: state(), now: NOW, mode: 'enforce' as const };
    expect(() => engine.evaluate({ ...input, policies: [stranger] })).toThrow(EngineInputError);
    expect(() => engine.evaluate({ ...input, policies: [POLICIES[1]!, POLICIES[0]!] })).toThrow(/not one of this engine's policies/);
  });

  it('matches a hand-made policy with a plain-function matcher once per Session object, as evaluate does', () => {
    const seen: string[] = [];
    const base = policy(`{ name: plain, when: { tokens.total: "> 1k" }, do: stop }`);
    const plain: Policy = { ...base, matches: (s: Session) => (seen.push(s.key), s.key.endsWith('x')) };
    const ledger = new Ledger();
    const a = session('agent:a:x');
    const b = session('agent:a:y');
    spend(ledger, a, NOW - MIN, { input: 5000 });
    spend(ledger, b, NOW - MIN, { input: 5000 });
    const engine = createEngine([plain]);
    expect(ids(both(engine, { sessions: [a, b], ledger, now: NOW }))).toEqual(['plain|home|agent:a:x|g1|e1|s0']);
    seen.length = 0;
    engine.evaluate({ sessions: [a, b], ledger, policies: [plain], state: state(), now: NOW, mode: 'enforce' });
    expect(seen).toEqual([]);
  });

  it('budgetsFor gives what the standalone budgetsFor gives', () => {
    const { sessions, ledger, engine } = fleet(300);
    engine.evaluate({ sessions, ledger, policies: POLICIES, state: state(), now: NOW, mode: 'enforce' });
    for (const s of sessions.slice(0, 50)) expect(engine.budgetsFor(s, ledger, NOW)).toEqual(budgetsFor(s, ledger, POLICIES, NOW));
    const s = sessions[0]!;
    spend(ledger, s, NOW - MIN, { cost: 9 });
    expect(engine.budgetsFor(s, ledger, NOW)).toEqual(budgetsFor(s, ledger, POLICIES, NOW));
  });
});
