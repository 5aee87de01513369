import { describe, expect, it } from 'vitest';
import { LedgerSums } from '../../src/engine/sums.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { Random } from '../../src/sources/demo/random.js';

/** mulberry32: the same ledger history every run. */
function random(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;
const FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cost'] as const;

describe('LedgerSums kept between evaluations', () => {
  it('gives, bit for bit, what a fresh sum gives, as calls land on old and new sessions, usage turns unknown and known, sessions move agent and are pruned', () => {
    const rnd = random(11);
    const ledger = new Ledger();
    const kept = new LedgerSums();
    const agents = ['a', 'b', 'c'];
    const sessions: { key: string; agent: string }[] = [];
    let now = T0;
    let calls = 0;
    for (let step = 0; step < 1_500; step++) {
      now += Math.floor(rnd() * 20 * 60_000);
      const r = rnd();
      if (r < 0.05 || sessions.length === 0) {
        // Now and then an agent not seen before: a new group while sums are kept.
        if (rnd() < 0.3) agents.push(`x${agents.length}`);
        sessions.push({ key: `s${sessions.length}`, agent: agents[Math.floor(rnd() * agents.length)]! });
      } else if (r < 0.06) ledger.markUnknown('src');
      else if (r < 0.08) ledger.markKnown('src');
      // A session moved to another agent, and old sessions pruned: the grouping changes other than by a new session.
      else if (r < 0.085) sessions[Math.floor(rnd() * sessions.length)]!.agent = agents[Math.floor(rnd() * agents.length)]!;
      else if (r < 0.09) ledger.prune(now, 12 * HOUR);
      // Mostly the newest sessions, now and then an old one: the first changed member is anywhere in its slot.
      const pick = rnd() < 0.8 ? sessions.length - 1 - Math.floor(rnd() * Math.min(3, sessions.length)) : Math.floor(rnd() * sessions.length);
      const s = sessions[pick]!;
      ledger.ingest({
        source: 'src',
        key: s.key,
        generation: `${s.key}#1`,
        agent: s.agent,
        id: String(calls++),
        at: now,
        input: 1 + Math.floor(rnd() * 5_000),
        output: Math.floor(rnd() * 800),
        cacheRead: Math.floor(rnd() * 300),
        cacheWrite: 0,
        cost: rnd() / 7,
      });
      const to = now + 1;
      kept.sync(ledger, to);
      const fresh = new LedgerSums();
      fresh.sync(ledger, to);
      // A day window, a rolling hour and all time, for each agent and the fleet.
      for (const from of [T0 + Math.floor((now - T0) / (24 * HOUR)) * 24 * HOUR, now - HOUR, Number.NEGATIVE_INFINITY]) {
        for (const agent of [...agents, undefined]) {
          const a = kept.sum(from, agent === undefined ? undefined : 'src', agent);
          const b = fresh.sum(from, agent === undefined ? undefined : 'src', agent);
          expect(a.known, `step ${step} known`).toBe(b.known);
          for (const f of FIELDS) if (!Object.is(a.usage[f], b.usage[f])) expect.fail(`step ${step}, agent ${agent ?? 'fleet'}, from ${from}: ${f} ${a.usage[f]} ≠ fresh ${b.usage[f]}`);
        }
      }
    }
    expect(calls).toBe(1_500);
  });
});
