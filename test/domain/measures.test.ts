import { describe, expect, it } from 'vitest';
import { cacheTokens, totalTokens } from '../../src/domain/session.js';
import { recentCalls } from '../../src/daemon/console-data.js';
import { Ledger } from '../../src/ledger/index.js';
import { callTokens, SessionRecorder } from '../../src/replay/timeline.js';

// One definition of each measure: the API's call rows and the replay's columns agree with the domain's rule.
const USE = { input: 1_000, output: 200, cacheRead: 30_000, cacheWrite: 4_000, cost: 0.5 };

describe('token measures', () => {
  it('total counts every token, cache counts read and write', () => {
    expect(totalTokens(USE)).toBe(35_200);
    expect(cacheTokens(USE)).toBe(34_000);
  });

  it('the console API serves each call with its cache and total, so the console never re-derives them', () => {
    const ledger = new Ledger();
    ledger.ingest({ source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', id: '1', at: 1_000, ...USE });
    const [row] = recentCalls(ledger.session('home', 'agent:a:s1', 'g1'));
    expect(row).toMatchObject({ cache: 34_000, total: 35_200, cacheRead: 30_000, cacheWrite: 4_000 });
  });

  it('a replayed call counts the same tokens', () => {
    const recorder = new SessionRecorder({ source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', main: false });
    recorder.call(1_000, USE);
    expect(callTokens(recorder.build().calls, 0)).toBe(35_200);
  });
});
