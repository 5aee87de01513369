import { describe, expect, it } from 'vitest';
import { compileWhen, conditionModules } from '../../src/conditions/index.js';
import { Ledger } from '../../src/ledger/index.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const burn = (): ReturnType<typeof compileWhen> => compileWhen({ burn: { tokens: '> 20k', per: '1m' } }, 'session', conditionModules);

describe('burn after a baseline', () => {
  it('is unknown while the period contains usage whose timing only the baseline knows, then measures live calls', () => {
    const ledger = new Ledger();
    // A fresh start: the platform reports 500k tokens of history, last activity 10 s ago.
    ledger.applyBaseline({ source: 'home', key: 'agent:a:s', generation: 'g', agent: 'a', input: 500_000, output: 1_000, cacheRead: 0, cacheWrite: 0, cost: 1.5, lastActivityAt: NOW - 10_000 });
    const compiled = burn();
    if (!compiled.condition) throw new Error(JSON.stringify(compiled.problems));
    const usage = ledger.session('home', 'agent:a:s', 'g')!;
    const at = (now: number) => compiled.condition!.evaluate({ now, usage });
    expect(at(NOW)).toMatchObject({ matched: false, unknown: true });
    // A minute later only live calls are in the period: 25k in the last minute is a real burn.
    ledger.ingest({ source: 'home', key: 'agent:a:s', generation: 'g', agent: 'a', id: '7', at: NOW + 55_000, input: 25_000, output: 10, cacheRead: 0, cacheWrite: 0, cost: 0.1 });
    expect(at(NOW + 60_000)).toMatchObject({ matched: true });
    expect(at(NOW + 60_000).measurements[0]?.text).toBe('burn tokens 25,010/1m > 20,000');
  });
});
