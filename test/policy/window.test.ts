import { describe, expect, it } from 'vitest';
import { windowAt } from '../../src/policy/index.js';
import type { BudgetWindow } from '../../src/policy/index.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe('windowAt', () => {
  it.each<[string, BudgetWindow, string, string, string, number]>([
    ['UTC day', { every: 'day', at: '00:00', tz: 'UTC' }, '2026-03-10T12:00:00Z', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', 24],
    ['UTC day at its exact start', { every: 'day', at: '00:00', tz: 'UTC' }, '2026-03-10T00:00:00Z', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', 24],
    ['UTC day, a ms before the end', { every: 'day', at: '00:00', tz: 'UTC' }, '2026-03-10T23:59:59.999Z', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', 24],
    // Europe/Berlin springs forward on 2026-03-29 (02:00 → 03:00): that day has 23 hours.
    ['Berlin spring DST day', { every: 'day', at: '00:00', tz: 'Europe/Berlin' }, '2026-03-29T12:00:00Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23],
    // ...and falls back on 2026-10-25 (03:00 → 02:00): 25 hours.
    ['Berlin autumn DST day', { every: 'day', at: '00:00', tz: 'Europe/Berlin' }, '2026-10-25T12:00:00Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25],
    ['non-UTC at, before it today', { every: 'day', at: '06:30', tz: 'America/New_York' }, '2026-07-15T09:00:00Z', '2026-07-14T10:30:00.000Z', '2026-07-15T10:30:00.000Z', 24],
    ['non-UTC at, after it today', { every: 'day', at: '06:30', tz: 'America/New_York' }, '2026-07-15T11:00:00Z', '2026-07-15T10:30:00.000Z', '2026-07-16T10:30:00.000Z', 24],
    // 2026-03-12 is a Thursday; the week starts Monday 2026-03-09.
    ['week starts Monday', { every: 'week', at: '00:00', tz: 'UTC' }, '2026-03-12T08:00:00Z', '2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z', 168],
    ['week, Monday before at belongs to last week', { every: 'week', at: '09:00', tz: 'UTC' }, '2026-03-09T08:00:00Z', '2026-03-02T09:00:00.000Z', '2026-03-09T09:00:00.000Z', 168],
    ['Berlin week across spring DST', { every: 'week', at: '00:00', tz: 'Europe/Berlin' }, '2026-03-27T12:00:00Z', '2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 167],
    ['month', { every: 'month', at: '00:00', tz: 'UTC' }, '2026-02-15T00:00:00Z', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 28 * 24],
    ['month, day 1 before at belongs to last month', { every: 'month', at: '08:00', tz: 'UTC' }, '2026-03-01T07:00:00Z', '2026-02-01T08:00:00.000Z', '2026-03-01T08:00:00.000Z', 28 * 24],
    ['Berlin month of October (25 h day)', { every: 'month', at: '00:00', tz: 'Europe/Berlin' }, '2026-10-10T00:00:00Z', '2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z', 31 * 24 + 1],
  ])('%s', (_name, window, now, start, end, hours) => {
    const w = windowAt(window, at(now));
    expect(iso(w.start)).toBe(start);
    expect(iso(w.end)).toBe(end);
    expect((w.end - w.start) / 3_600_000).toBe(hours);
  });

  it('consecutive windows tile time without gaps across a DST change', () => {
    const window: BudgetWindow = { every: 'day', at: '00:00', tz: 'Europe/Berlin' };
    let w = windowAt(window, at('2026-10-23T12:00:00Z'));
    for (let i = 0; i < 4; i++) {
      const next = windowAt(window, w.end);
      expect(next.start).toBe(w.end);
      w = next;
    }
  });
});
