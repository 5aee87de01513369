import { describe, expect, it } from 'vitest';
import { Ledger, LedgerFormatError } from '../../src/ledger/index.js';
import type { UsageBaseline, UsageRecord } from '../../src/sources/source.js';

const T0 = Date.parse('2026-03-10T12:00:00Z');
const MIN = 60_000;
const ZERO = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };

function call(id: number | string, at: number, over: Partial<UsageRecord> = {}): UsageRecord {
  return { source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', id: String(id), at, ...ZERO, input: 100, output: 10, cost: 0.01, ...over };
}

function baseline(over: Partial<UsageBaseline> = {}): UsageBaseline {
  return { source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', ...ZERO, ...over };
}

describe('ingest', () => {
  it('counts calls and rejects replays by id', () => {
    const ledger = new Ledger();
    expect(ledger.ingest(call(1, T0))).toBe(true);
    expect(ledger.ingest(call(2, T0 + MIN))).toBe(true);
    expect(ledger.ingest(call(1, T0))).toBe(false);
    expect(ledger.ingest(call(2, T0 + MIN))).toBe(false);
    const e = ledger.session('home', 'agent:a:s1', 'g1')!;
    expect(e.totals).toEqual({ input: 200, output: 20, cacheRead: 0, cacheWrite: 0, cost: 0.02 });
    expect(e.calls).toBe(2);
    expect(e.lastCallAt).toBe(T0 + MIN);
    expect(e.known).toBe(true);
  });

  it('remembers old ids beyond the recent list by sequence number (memory-lean)', () => {
    const ledger = new Ledger();
    for (let i = 1; i <= 200; i++) expect(ledger.ingest(call(i, T0 + i * 1000))).toBe(true);
    for (const i of [1, 50, 168, 200]) expect(ledger.ingest(call(i, T0 + i * 1000))).toBe(false);
    expect(ledger.ingest(call(201, T0 + 201_000))).toBe(true);
    expect(ledger.session('home', 'agent:a:s1', 'g1')!.totals.input).toBe(201 * 100);
  });

  it('keeps generations and sessions apart', () => {
    const ledger = new Ledger();
    ledger.ingest(call(1, T0));
    expect(ledger.ingest(call(1, T0, { generation: 'g2' }))).toBe(true);
    expect(ledger.ingest(call(1, T0, { key: 'agent:a:s2' }))).toBe(true);
    expect(ledger.session('home', 'agent:a:s1', 'g1')!.totals.input).toBe(100);
    expect(ledger.session('home', 'agent:a:s1', 'g2')!.totals.input).toBe(100);
    expect(ledger.session('home', 'agent:a:s1', 'g3')).toBeUndefined();
    expect([...ledger.entries()].map((e) => `${e.key}/${e.generation}`).sort()).toEqual(['agent:a:s1/g1', 'agent:a:s1/g2', 'agent:a:s2/g1']);
  });
});

describe('between', () => {
  const ledger = new Ledger();
  // One call every 10 s for 10 minutes from T0, then one 2 h later.
  for (let i = 0; i < 60; i++) ledger.ingest(call(i + 1, T0 + i * 10_000));
  ledger.ingest(call(100, T0 + 120 * MIN, { input: 5000 }));
  const e = ledger.session('home', 'agent:a:s1', 'g1')!;
  it.each([
    ['everything', T0 - MIN, T0 + 200 * MIN, 6000 + 5000],
    ['the first minute', T0, T0 + MIN, 600],
    ['a window before any call', T0 - 60 * MIN, T0, 0],
    ['minutes 5 to 10', T0 + 5 * MIN, T0 + 10 * MIN, 3000],
    ['the last call only, exactly (recent calls)', T0 + 119 * MIN + 30_000, T0 + 121 * MIN, 5000],
    ['just after the last call', T0 + 120 * MIN + 1, T0 + 121 * MIN, 0],
  ])('%s', (_name, from, to, input) => {
    expect(e.between(from, to).input).toBe(input);
  });
});

describe('applyBaseline', () => {
  it('adds what the platform counted beyond us, never subtracts, and marks known', () => {
    const ledger = new Ledger();
    ledger.markUnknown('home');
    ledger.ingest(call(1, T0));
    expect(ledger.session('home', 'agent:a:s1', 'g1')!.known).toBe(false);
    ledger.applyBaseline(baseline({ input: 1000, output: 5, cost: 0.5, lastActivityAt: T0 + 5 * MIN }));
    const e = ledger.session('home', 'agent:a:s1', 'g1')!;
    expect(e.known).toBe(true);
    expect(e.totals).toEqual({ input: 1000, output: 10, cacheRead: 0, cacheWrite: 0, cost: 0.5 });
    expect(e.between(T0 + 5 * MIN, T0 + 6 * MIN).input).toBe(900);
    ledger.applyBaseline(baseline({ input: 10, lastActivityAt: T0 + 6 * MIN }));
    expect(e.totals.input).toBe(1000);
  });

  it('spreads the difference over the daily breakdown', () => {
    const ledger = new Ledger();
    ledger.applyBaseline(
      baseline({
        input: 3000,
        cost: 3,
        daily: [
          { date: '2026-03-08', ...ZERO, input: 1000, cost: 1 },
          { date: '2026-03-09', ...ZERO, input: 2000, cost: 2 },
        ],
        lastActivityAt: Date.parse('2026-03-09T18:00:00Z'),
      }),
    );
    const e = ledger.session('home', 'agent:a:s1', 'g1')!;
    expect(e.totals.input).toBe(3000);
    expect(e.between(Date.parse('2026-03-08T00:00:00Z'), Date.parse('2026-03-09T00:00:00Z')).input).toBe(1000);
    expect(e.between(Date.parse('2026-03-09T00:00:00Z'), Date.parse('2026-03-10T00:00:00Z')).input).toBe(2000);
    expect(e.between(Date.parse('2026-03-09T17:59:00Z'), Date.parse('2026-03-09T18:01:00Z')).input).toBe(2000);
  });

  it('does not count twice a replayed call the baseline already covers', () => {
    const ledger = new Ledger();
    ledger.ingest(call(1, T0));
    ledger.applyBaseline(baseline({ input: 300, output: 30, cost: 0.03, lastActivityAt: T0 + 2 * MIN }));
    expect(ledger.ingest(call(2, T0 + MIN))).toBe(false);
    expect(ledger.ingest(call(3, T0 + 3 * MIN))).toBe(true);
    expect(ledger.session('home', 'agent:a:s1', 'g1')!.totals.input).toBe(400);
  });

  it('markKnown restores a source after a re-sync', () => {
    const ledger = new Ledger();
    ledger.ingest(call(1, T0));
    ledger.ingest(call(1, T0, { source: 'other' }));
    ledger.markUnknown('home');
    expect([...ledger.entries()].map((e) => `${e.source}:${e.known}`).sort()).toEqual(['home:false', 'other:true']);
    ledger.ingest(call(2, T0 + MIN, { key: 'agent:a:new' }));
    expect(ledger.session('home', 'agent:a:new', 'g1')!.known).toBe(false);
    ledger.markKnown('home');
    expect([...ledger.entries()].every((e) => e.known)).toBe(true);
  });
});

describe('prune', () => {
  it('forgets idle generations and old buckets, keeping totals of the rest', () => {
    const ledger = new Ledger();
    ledger.ingest(call(1, T0, { key: 'old' }));
    ledger.ingest(call(1, T0, { key: 'live' }));
    ledger.ingest(call(2, T0 + 48 * 60 * MIN, { key: 'live' }));
    const removed = ledger.prune(T0 + 50 * 60 * MIN, 24 * 60 * MIN);
    expect(removed).toBe(1);
    expect(ledger.session('home', 'old', 'g1')).toBeUndefined();
    const live = ledger.session('home', 'live', 'g1')!;
    expect(live.totals.input).toBe(200);
    expect(live.between(T0 - MIN, T0 + MIN + 1).input).toBe(0);
  });
});

describe('JSON', () => {
  it('round-trips everything that matters', () => {
    const ledger = new Ledger();
    for (let i = 1; i <= 40; i++) ledger.ingest(call(i, T0 + i * 20_000, { cacheRead: i }));
    ledger.applyBaseline(baseline({ key: 'agent:b:s', agent: 'b', input: 7, lastActivityAt: T0 }));
    ledger.ingest(call(1, T0, { generation: 'g0' }));
    ledger.markUnknown('down');
    const copy = Ledger.fromJSON(JSON.parse(JSON.stringify(ledger)));
    expect(JSON.stringify(copy)).toEqual(JSON.stringify(ledger));
    const e = copy.session('home', 'agent:a:s1', 'g1')!;
    expect(e.between(T0, T0 + 10 * MIN)).toEqual(ledger.session('home', 'agent:a:s1', 'g1')!.between(T0, T0 + 10 * MIN));
    expect(copy.ingest(call(3, T0 + 60_000))).toBe(false);
    expect(copy.ingest(call(41, T0 + 41 * 20_000))).toBe(true);
    expect(copy.session('home', 'agent:a:s1', 'g0')!.totals.input).toBe(100);
    copy.ingest(call(1, T0, { source: 'down' }));
    expect(copy.session('down', 'agent:a:s1', 'g1')!.known).toBe(false);
  });

  it.each([
    ['not an object', 'hello', /not a clawwarden ledger/],
    ['a foreign document', { format: 'something-else', version: 1, entries: [] }, /not a clawwarden ledger/],
    ['a newer version', { format: 'clawwarden-ledger', version: 2, unknownSources: [], entries: [] }, /unsupported ledger version 2/],
    ['missing entries', { format: 'clawwarden-ledger', version: 1 }, /damaged ledger/],
    ['a damaged entry', { format: 'clawwarden-ledger', version: 1, unknownSources: [], entries: [{ source: 'home', key: 'k' }] }, /entries\[0\] is malformed/],
  ])('rejects %s', (_name, doc, message) => {
    let error: unknown;
    try {
      Ledger.fromJSON(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LedgerFormatError);
    expect((error as LedgerFormatError).code).toBe('E_LEDGER_FORMAT');
    expect((error as Error).message).toMatch(message);
  });
});

describe('version, layout and changedSince (what the engine keeps its memo by)', () => {
  it('version rises on every change, layout only when entries appear, go or change agent', () => {
    const ledger = new Ledger();
    const steps: [string, () => unknown, boolean, boolean][] = [
      ['first call creates the entry', () => ledger.ingest(call(1, T0)), true, true],
      ['a second call', () => ledger.ingest(call(2, T0 + MIN)), true, false],
      ['a replay changes nothing', () => ledger.ingest(call(2, T0 + MIN)), false, false],
      ['a baseline', () => ledger.applyBaseline(baseline({ input: 5000, lastActivityAt: T0 + 2 * MIN })), true, false],
      ['unknown', () => ledger.markUnknown('home'), true, false],
      ['known again', () => ledger.markKnown('home'), true, false],
      ['the same agent again', () => ledger.ingest(call(3, T0 + 3 * MIN)), true, false],
      ['another agent for the entry', () => ledger.ingest(call(4, T0 + 4 * MIN, { agent: 'b' })), true, true],
      ['a new generation', () => ledger.ingest(call(1, T0 + 5 * MIN, { generation: 'g2' })), true, true],
      ['pruning nothing', () => ledger.prune(T0 + 5 * MIN, 60 * MIN), false, false],
      ['pruning an entry', () => ledger.prune(T0 + 200 * MIN, 60 * MIN + 10 * MIN), true, true],
    ];
    for (const [name, change, versionMoves, layoutMoves] of steps) {
      const { version, layout } = ledger;
      change();
      expect([name, ledger.version > version, ledger.layout > layout]).toEqual([name, versionMoves, layoutMoves]);
    }
  });

  it('changedSince names the entries changed after a version, and says when it can no longer tell', () => {
    const ledger = new Ledger();
    ledger.ingest(call(1, T0));
    ledger.ingest(call(1, T0, { key: 'agent:a:s2' }));
    const v = ledger.version;
    expect(ledger.changedSince(v)).toEqual([]);
    ledger.ingest(call(2, T0 + MIN, { key: 'agent:a:s2' }));
    const e = ledger.changedSince(v)!;
    expect(e.map((x) => [x.key, x.version])).toEqual([['agent:a:s2', ledger.version]]);
    for (let i = 0; i < 5000; i++) ledger.ingest(call(100 + i, T0 + 2 * MIN));
    expect(ledger.changedSince(v)).toBeUndefined();
    const w = ledger.version;
    ledger.ingest(call(9000, T0 + 3 * MIN));
    expect(ledger.changedSince(w)!.map((x) => x.key)).toEqual(['agent:a:s1']);
  });
});
