import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ledger } from '../ledger/ledger.js';
import type { JournalEntry } from '../state/journal-types.js';
import { totalTokens } from '../domain/session.js';

/** What one policy did (or, in observe mode, would have done) since a time, from the audit journal. */
export interface PolicyActivity {
  readonly policy: string;
  /** Decisions to act (the `do` list or a ladder step); warnings and releases are not counted. */
  readonly decisions: number;
  /** Action results: `done` (carried out), `would` (observe mode), `refused` (by the safety rules or the platform), `failed`, `noop`. */
  readonly results: Readonly<Record<string, number>>;
  /** `stop` → how many times, over done and would. */
  readonly actions: Readonly<Record<string, number>>;
  /** Sessions it acted or would have acted on. */
  readonly sessions: readonly string[];
  /**
   * What those sessions spent after the policy's first decision about them, by the daemon's ledger: for a policy in
   * observe mode, at most what enforcing it would have saved; in enforce mode, what got through anyway.
   */
  readonly spentAfter?: { readonly tokens: number; readonly cost: number };
}

interface Snapshot {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly tokens: number;
  readonly cost: number;
}

/**
 * Reads the journal in `stateDir` (the live file and its rotations, read-only; a torn last line is skipped) and the
 * saved ledger, and sums per policy what it decided and did since `since`.
 */
export async function policyActivity(stateDir: string, since: number): Promise<{ activity: Map<string, PolicyActivity>; note?: string }> {
  const names = (await readdir(stateDir).catch(() => [] as string[])).filter((n) => /^journal(\.\d+)?\.jsonl$/.test(n));
  if (names.length === 0) return { activity: new Map(), note: `no journal in ${stateDir}: the daemon has not run with this state directory` };
  const entries: JournalEntry[] = [];
  for (const name of names) {
    const text = await readFile(join(stateDir, name), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as JournalEntry;
        if (typeof e.seq === 'number' && Date.parse(e.time) >= since) entries.push(e);
      } catch {
        // A torn last line (a crash mid-append) is no entry.
      }
    }
  }
  entries.sort((a, b) => a.seq - b.seq);
  const acc = new Map<string, { decisions: number; results: Record<string, number>; actions: Record<string, number>; sessions: Set<string>; first: Map<string, Snapshot> }>();
  const of = (policy: string) => {
    let a = acc.get(policy);
    if (!a) acc.set(policy, (a = { decisions: 0, results: {}, actions: {}, sessions: new Set(), first: new Map() }));
    return a;
  };
  for (const e of entries) {
    if (!e.policy) continue;
    if (e.type === 'decision' && (e.kind === 'violation' || e.kind === 'escalation')) {
      const a = of(e.policy);
      a.decisions++;
      const u = e.usage;
      if (u && e.session && !a.first.has(`${u.source}\u0000${u.key}\u0000${u.generation}`)) {
        a.first.set(`${u.source}\u0000${u.key}\u0000${u.generation}`, { source: u.source, key: u.key, generation: u.generation, tokens: totalTokens(u), cost: u.cost });
      }
    } else if (e.type === 'action' && e.by === 'policy' && e.result && e.action) {
      const a = of(e.policy);
      a.results[e.result] = (a.results[e.result] ?? 0) + 1;
      if (e.result === 'done' || e.result === 'would') {
        a.actions[e.action] = (a.actions[e.action] ?? 0) + 1;
        if (e.session) a.sessions.add(e.session);
      }
    }
  }
  const ledger = await readLedger(stateDir);
  const activity = new Map<string, PolicyActivity>();
  for (const [policy, a] of acc) {
    let spent: { tokens: number; cost: number } | undefined;
    if (ledger && a.first.size > 0) {
      spent = { tokens: 0, cost: 0 };
      for (const s of a.first.values()) {
        if (!a.sessions.has(s.key)) continue;
        const now = ledger.session(s.source, s.key, s.generation)?.totals;
        if (!now) continue;
        spent.tokens += Math.max(0, totalTokens(now) - s.tokens);
        spent.cost += Math.max(0, now.cost - s.cost);
      }
      spent.cost = Math.round(spent.cost * 1e6) / 1e6;
    }
    activity.set(policy, { policy, decisions: a.decisions, results: a.results, actions: a.actions, sessions: [...a.sessions].sort(), ...(spent ? { spentAfter: spent } : {}) });
  }
  return { activity, ...(ledger ? {} : { note: `no readable ledger.json in ${stateDir}: spend after the actions is not shown` }) };
}

async function readLedger(stateDir: string): Promise<Ledger | undefined> {
  try {
    return Ledger.fromJSON(JSON.parse(await readFile(join(stateDir, 'ledger.json'), 'utf8')));
  } catch {
    return undefined;
  }
}
