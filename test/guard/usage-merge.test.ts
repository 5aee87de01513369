import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/domain/session.js';
import { UsageMerge } from '../../src/guard/usage-merge.js';

const record = (over: Partial<UsageRecord> = {}): UsageRecord => ({
  source: 'gw',
  key: 'agent:main:a',
  generation: 'g',
  agent: 'main',
  id: '2',
  at: 1_000,
  input: 15_488,
  output: 12,
  cacheRead: 0,
  cacheWrite: 0,
  cost: 0.04,
  ...over,
});

describe('UsageMerge: each call counted once', () => {
  it('the stream copy first: the guard copy is dropped', () => {
    const m = new UsageMerge();
    expect(m.fromStream(record())).toBe(true);
    expect(m.fromGuard(record({ id: 'g:1' }))).toBe(false);
  });

  it('the guard copy first: the stream copy is dropped', () => {
    const m = new UsageMerge();
    expect(m.fromGuard(record({ id: 'g:1' }))).toBe(true);
    expect(m.fromStream(record())).toBe(false);
  });

  it('calls no stream reports (a hidden run) are counted from the guard', () => {
    const m = new UsageMerge();
    expect(m.fromGuard(record({ key: 'agent:main:internal-session-effects:x', at: 1 }))).toBe(true);
    expect(m.fromGuard(record({ key: 'agent:main:internal-session-effects:x', at: 2 }))).toBe(true);
  });

  it('two different calls with the same token counts are two calls', () => {
    const m = new UsageMerge();
    expect(m.fromStream(record({ id: '2', at: 1_000 }))).toBe(true);
    expect(m.fromStream(record({ id: '4', at: 2_000 }))).toBe(true);
    expect(m.fromGuard(record({ id: 'g:a', at: 1_000 }))).toBe(false);
    expect(m.fromGuard(record({ id: 'g:b', at: 2_000 }))).toBe(false);
    expect(m.fromGuard(record({ id: 'g:c', at: 3_000 }))).toBe(true);
  });

  it('does not pair copies of different sessions, generations or sizes, nor calls far apart', () => {
    const m = new UsageMerge();
    m.fromStream(record());
    expect(m.fromGuard(record({ key: 'agent:main:b' }))).toBe(true);
    expect(m.fromGuard(record({ generation: 'h' }))).toBe(true);
    expect(m.fromGuard(record({ input: 1 }))).toBe(true);
    expect(m.fromGuard(record({ at: 1_000 + 10 * 60_000 }))).toBe(true);
  });

  it('forgets old calls', () => {
    const m = new UsageMerge();
    for (let i = 0; i < 600; i++) m.fromStream(record({ at: i * 10_000, input: i }));
    expect(m.size).toBeLessThan(600);
  });
});
