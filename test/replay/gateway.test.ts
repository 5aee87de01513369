import { describe, expect, test } from 'vitest';
import { readGatewayHistory, type GatewayRead } from '../../src/replay/gateway.js';
import { MIN, T0 } from './fixtures.js';

const DAY = 24 * 60 * MIN;

function assistant(at: number, input: number, run: string, id: string, cost = 0.01): object {
  return { role: 'assistant', timestamp: at, usage: { input, output: 10, cacheRead: 0, cacheWrite: 0, totalTokens: input + 10, cost: { total: cost } }, __openclaw: { id, runId: run } };
}

/** A gateway answering from canned pages; `chat.history` pages newest first, as OpenClaw does. */
function gateway(pages: Record<string, object[][]>, usage: object[], failing: string[] = []): GatewayRead & { url: string; calls: { method: string; params: Record<string, unknown> }[] } {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  return {
    url: 'ws://gateway.test',
    calls,
    async request<T>(method: string, params: object): Promise<T> {
      const p = params as Record<string, unknown>;
      calls.push({ method, params: p });
      if (method === 'sessions.list') return { sessions: [{ key: 'agent:main:a', sessionId: 'gen-a2', agentId: 'main', createdAt: T0 }] } as T;
      if (method === 'sessions.usage') return { sessions: usage, cacheStatus: { status: 'fresh' } } as T;
      const id = `${p['sessionKey'] as string}${p['sessionId'] ? `@${p['sessionId'] as string}` : ''}`;
      if (failing.includes(id)) throw new Error('transcript not found');
      const list = pages[id] ?? [];
      const index = typeof p['offset'] === 'number' ? p['offset'] : 0;
      const page = list[index] ?? [];
      return { messages: page, ...(index + 1 < list.length ? { hasMore: true, nextOffset: index + 1 } : { hasMore: false }) } as T;
    },
    close: async () => undefined,
  };
}

describe('the gateway history', () => {
  test('transcripts paged back to the start become calls with their runs; user messages and run ids split runs', async () => {
    const gw = gateway(
      {
        'agent:main:a': [
          [{ role: 'user', timestamp: T0 + 10 * MIN, content: 'x' }, assistant(T0 + 11 * MIN, 300, 'r2', 'm3')],
          [{ role: 'user', timestamp: T0, content: 'x' }, assistant(T0 + MIN, 100, 'r1', 'm1'), assistant(T0 + 2 * MIN, 200, 'r1', 'm2'), assistant(T0 + 2 * MIN, 200, 'r1', 'm2')],
        ],
      },
      [{ key: 'agent:main:a', sessionId: 'gen-a2', agentId: 'main', includedSessionIds: ['gen-a2'], usage: { input: 600, output: 30, cacheRead: 0, cacheWrite: 0, missingCostEntries: 0 } }],
    );
    const t = await readGatewayHistory(gw, { source: 'gw', from: T0, to: T0 + DAY, now: T0 + DAY });
    expect(t.origin).toBe('gateway ws://gateway.test');
    expect(t.gaps).toEqual([]);
    expect(t.sessions).toHaveLength(1);
    const s = t.sessions[0]!;
    expect(s).toMatchObject({ source: 'gw', key: 'agent:main:a', generation: 'gen-a2', agent: 'main', createdAt: T0, main: false });
    expect([...s.calls.input]).toEqual([100, 200, 300]);
    expect(s.runs).toEqual([
      { first: 0, last: 1 },
      { first: 2, last: 2 },
    ]);
    expect(gw.calls.filter((c) => c.method === 'chat.history').map((c) => c.params['offset'])).toEqual([undefined, 1]);
  });

  test('what cannot be read is named: fewer tokens than the totals, unpriced calls, an unreadable earlier generation, less history than asked', async () => {
    const gw = gateway(
      { 'agent:main:a': [[assistant(T0 + 40 * DAY, 100, 'r1', 'm1')]] },
      [
        {
          key: 'agent:main:a',
          sessionId: 'gen-a2',
          agentId: 'main',
          includedSessionIds: ['gen-a1', 'gen-a2'],
          usage: { input: 5_000, output: 10, cacheRead: 0, cacheWrite: 0, missingCostEntries: 3 },
        },
      ],
      ['agent:main:a@gen-a1'],
    );
    const t = await readGatewayHistory(gw, { source: 'gw', from: T0, to: T0 + 41 * DAY, now: T0 + 41 * DAY });
    expect(t.gaps.map((g) => g.kind)).toEqual(['retention', 'reset', 'mismatch', 'unpriced']);
    expect(t.gaps[0]!.detail).toContain('OpenClaw keeps about 30 days of transcripts');
    expect(t.gaps[1]!.detail).toBe('agent:main:a was reset: the calls of its earlier generation gen-a1 could not be read (transcript not found) and are not replayed');
    expect(t.gaps[2]!.detail).toBe("the transcript of agent:main:a holds 110 tokens, the gateway's totals say 5,010: 4,900 tokens are not in the history replayed");
    expect(t.gaps[3]!.detail).toBe('3 call(s) of agent:main:a have no price (their model has no cost configured in OpenClaw): counted as $0');
  });
});
