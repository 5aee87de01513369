import { afterEach, describe, expect, it, vi } from 'vitest';
import { DirtyAgents } from '../../src/triggers/dirty.js';
import { DueTimer, nextEscalationDue } from '../../src/triggers/due.js';
import { SerialQueue } from '../../src/triggers/schedule.js';
import type { Episode } from '../../src/domain/decision.js';
import { policy } from '../policy/fixtures.js';

const MIN = 60_000;

describe('SerialQueue', () => {
  it('runs jobs one at a time, in the order queued, and a failing job does not stop the next', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const slow = queue.run(async () => {
      log.push('a:start');
      await new Promise((r) => setTimeout(r, 20));
      log.push('a:end');
    });
    const failing = queue.run(() => Promise.reject(new Error('boom')));
    const last = queue.run(() => void log.push('c'));
    expect(queue.pending).toBe(3);
    await slow;
    await expect(failing).rejects.toThrow('boom');
    await last;
    expect(log).toEqual(['a:start', 'a:end', 'c']);
    expect(queue.pending).toBe(0);
  });
});

describe('DirtyAgents', () => {
  it('evaluates each dirty agent once per queue turn, timed from its earliest event', async () => {
    const queue = new SerialQueue();
    const evaluated: [string, string, number][] = [];
    const dirty = new DirtyAgents(
      (job) => void queue.run(job),
      (source, agent, at) => {
        evaluated.push([source, agent, at]);
        return Promise.resolve();
      },
    );
    dirty.mark('gw', 'backend', 100);
    dirty.mark('gw', 'backend', 50);
    dirty.mark('gw', 'backend', 300);
    dirty.mark('gw', 'ops', 200);
    await queue.idle();
    expect(evaluated).toEqual([
      ['gw', 'backend', 100],
      ['gw', 'ops', 200],
    ]);
    dirty.mark('gw', 'backend', 400);
    await queue.idle();
    expect(evaluated.at(-1)).toEqual(['gw', 'backend', 400]);
    expect(evaluated).toHaveLength(3);
  });
});

describe('nextEscalationDue', () => {
  const ladder = policy(`{ name: ladder, when: { tokens.total: "> 1" }, do: stop, escalate: [ { after: 10m, do: kill } ] }`);
  const cooled = policy(`{ name: cooled, when: { tokens.total: "> 1" }, do: stop, cooldown: 5m, escalate: [ { after: 10m, do: kill } ] }`);
  const episode = (firedAt: number, stepDone = 0, cooldownUntil?: number): Episode => ({ episode: 1, firedAt, stepDone, ...(cooldownUntil !== undefined ? { cooldownUntil } : {}) });

  it('is the earliest next step over every open episode', () => {
    const due = nextEscalationDue(
      [ladder],
      [
        ['ladder|gw|a', episode(5 * MIN)],
        ['ladder|gw|b', episode(2 * MIN)],
      ],
    );
    expect(due).toBe(12 * MIN);
  });

  it('skips an episode whose ladder is done, whose cooldown ends first, or whose policy is gone', () => {
    const due = nextEscalationDue(
      [ladder, cooled],
      [
        ['ladder|gw|done', episode(0, 1)],
        ['cooled|gw|a', episode(0)],
        ['gone|gw|a', episode(0)],
      ],
    );
    expect(due).toBe(Number.POSITIVE_INFINITY);
    expect(nextEscalationDue([ladder], [['ladder|gw|a', episode(0, 0, 11 * MIN)]])).toBe(10 * MIN);
  });
});

describe('DueTimer', () => {
  afterEach(() => void vi.useRealTimers());

  it('fires once at the due time; re-arming with the same time keeps it, a past time arms nothing', () => {
    vi.useFakeTimers();
    let fired = 0;
    const timer = new DueTimer(() => fired++);
    timer.arm(1_000, 0);
    timer.arm(1_000, 500);
    vi.advanceTimersByTime(999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(10);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1);
    timer.arm(500, 1_000);
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1);
  });

  it('moves to an earlier time and cancels', () => {
    vi.useFakeTimers();
    let fired = 0;
    const timer = new DueTimer(() => fired++);
    timer.arm(10_000, 0);
    timer.arm(2_000, 0);
    vi.advanceTimersByTime(2_010);
    expect(fired).toBe(1);
    timer.arm(5_000, 2_010);
    timer.cancel();
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1);
  });
});
