import { DateTime } from 'luxon';
import type { Config } from '../config/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { Session, Usage } from '../domain/session.js';
import { cacheTokens, totalTokens } from '../domain/session.js';
import { sessionState } from '../domain/session-view.js';
import { LedgerSums } from '../engine/sums.js';
import { LedgerEntry, lowerBound, WIDTH } from '../ledger/entry.js';
import type { LedgerView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import { windowAt } from '../policy/window.js';
import type { StateStore } from '../state/store.js';
import type { BudgetRow, FleetOverview, ReadinessReport, SpendQuery, SpendRange, SpendSeries } from '../http/view.js';
import { BURN_MINUTES, verdictLevel, type ConsoleJournal } from './console-data.js';
import { whenVerdict, type ConditionVerdict } from './verdict.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Each range's length and bucket width: 60 one-minute, 96 quarter-hour or 168 hourly buckets. */
export const SPEND_RANGES: Readonly<Record<SpendRange, { readonly length: number; readonly step: number }>> = {
  '1h': { length: HOUR, step: MINUTE },
  '24h': { length: 24 * HOUR, step: 15 * MINUTE },
  '7d': { length: 7 * 24 * HOUR, step: HOUR },
};

/** Usage metrics a budget row can show, and how each reads a usage sum. */
const METRICS: Readonly<Record<string, (u: Readonly<Usage>) => number>> = {
  cost: (u) => u.cost,
  'tokens.total': totalTokens,
  'tokens.input': (u) => u.input,
  'tokens.output': (u) => u.output,
  'tokens.cache': cacheTokens,
};

/** What the spend series and the overview are computed from. */
export interface SpendInputs {
  readonly fleet: {
    readonly ledger: LedgerView;
    sessions(options?: { includeUnsynced?: boolean }): Session[];
  };
  readonly state: StateStore;
  readonly config: Config;
  readonly now: () => number;
  readiness(): ReadinessReport;
}

/**
 * Spend per bucket from the ledger's minute buckets (every generation it holds, ended sessions too), per agent and
 * for the fleet. Buckets are aligned to whole steps; the last one is the step in progress.
 */
export function spendSeries(inputs: SpendInputs, query: SpendQuery, journal: ConsoleJournal): SpendSeries {
  const now = inputs.now();
  const { length, step } = SPEND_RANGES[query.range];
  const n = Math.round(length / step);
  const from = Math.floor(now / step) * step - (n - 1) * step;
  const times = Array.from({ length: n }, (_, i) => from + i * step);
  const byAgent = new Map<string, { cost: number[]; tokens: number[]; sum: number }>();
  const fleet = { cost: new Array<number>(n).fill(0), tokens: new Array<number>(n).fill(0) };
  const firstMinute = Math.floor(from / MINUTE);
  const perStep = step / MINUTE;
  for (const entry of inputs.fleet.ledger.entries()) {
    if (entry.lastUsageAt === undefined || entry.lastUsageAt < from) continue;
    let row = byAgent.get(entry.agent);
    if (!row) byAgent.set(entry.agent, (row = { cost: new Array<number>(n).fill(0), tokens: new Array<number>(n).fill(0), sum: 0 }));
    const add = (i: number, cost: number, tokens: number): void => {
      if (i < 0 || i >= n) return;
      row.cost[i] = row.cost[i]! + cost;
      row.tokens[i] = row.tokens[i]! + tokens;
      row.sum += cost;
    };
    if (entry instanceof LedgerEntry) {
      const { minutes, bucketUse: u } = entry;
      for (let k = lowerBound(minutes, firstMinute); k < minutes.length; k++) {
        const b = k * WIDTH;
        add(Math.floor((minutes[k]! - firstMinute) / perStep), u[b + 4]!, u[b]! + u[b + 1]! + u[b + 2]! + u[b + 3]!);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const u = entry.between(times[i]!, times[i]! + step);
        add(i, u.cost, totalTokens(u));
      }
    }
  }
  const ranked = [...byAgent.entries()].filter(([, r]) => r.sum > 0 || r.tokens.some((t) => t > 0)).sort((a, b) => b[1].sum - a[1].sum || a[0].localeCompare(b[0]));
  const shown = ranked.slice(0, query.top);
  const rest = ranked.slice(query.top);
  for (const [, r] of ranked) {
    for (let i = 0; i < n; i++) {
      fleet.cost[i] = fleet.cost[i]! + r.cost[i]!;
      fleet.tokens[i] = fleet.tokens[i]! + r.tokens[i]!;
    }
  }
  const round = (xs: number[]): number[] => xs.map((x) => Math.round(x * 1e6) / 1e6);
  let other: SpendSeries['other'];
  if (rest.length > 0) {
    const cost = new Array<number>(n).fill(0);
    const tokens = new Array<number>(n).fill(0);
    for (const [, r] of rest)
      for (let i = 0; i < n; i++) {
        cost[i] = cost[i]! + r.cost[i]!;
        tokens[i] = tokens[i]! + r.tokens[i]!;
      }
    other = { agents: rest.length, cost: round(cost), tokens };
  }
  const budgets: SpendSeries['budgets'][number][] = [];
  for (const policy of inputs.config.policies) {
    if (policy.scope === 'session' || !policy.window) continue;
    const w = windowAt(policy.window, now);
    const leaf = budgetLeaf(policy, now);
    if (!leaf || (leaf.metric !== 'cost' && leaf.metric !== 'tokens.total')) continue;
    const windowMs = w.end - w.start;
    budgets.push({ policy: policy.name, scope: policy.scope, metric: leaf.metric === 'cost' ? 'cost' : 'tokens', threshold: leaf.threshold, windowMs, perStep: (leaf.threshold * step) / windowMs });
  }
  const markers = journal.markers(from, now).map((e) => ({
    at: Date.parse(e.time),
    action: e.action ?? 'action',
    result: e.result ?? 'done',
    by: e.by ?? 'policy',
    ...(e.policy ? { policy: e.policy } : {}),
    ...(e.session ? { session: e.session } : {}),
    ...(e.agent ? { agent: e.agent } : {}),
    reason: journal.decisionText(e.decision) ?? e.reason,
  }));
  return {
    range: query.range,
    step,
    from,
    to: now,
    times,
    agents: shown.map(([agent, r]) => ({ agent, cost: round(r.cost), tokens: r.tokens })),
    ...(other ? { other } : {}),
    fleet: { cost: round(fleet.cost), tokens: fleet.tokens },
    budgets,
    markers,
  };
}

/** The usage threshold a budget compares against (`cost > $25`), read by measuring the policy on an empty sum. */
function budgetLeaf(policy: Policy, now: number): (ConditionVerdict & { metric: string; threshold: number }) | undefined {
  const zero: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
  const verdict = whenVerdict(policy, { now, aggregate: zero, recent: () => zero });
  return verdict?.conditions.find(
    (c): c is ConditionVerdict & { metric: string; threshold: number } => c.metric !== undefined && c.metric in METRICS && (c.op === '>' || c.op === '>=') && c.threshold !== undefined,
  );
}

/**
 * The console's header and budget rows: one row per agent- or fleet-scope policy and subject, with its window's spend
 * against the threshold (the same window sums the engine uses), time to reset and when it runs out at the current rate.
 */
export function overview(inputs: SpendInputs, tz: string, sums: LedgerSums, mode: FleetOverview['mode']): FleetOverview {
  const now = inputs.now();
  const { ledger } = inputs.fleet;
  sums.sync(ledger, now + 1);
  const sessions = inputs.fleet.sessions({ includeUnsynced: true });
  const states: Record<string, number> = { running: 0, idle: 0, stopped: 0, paused: 0, held: 0, killed: 0, archived: 0 };
  for (const s of sessions) {
    const state = sessionState(s, inputs.state.hold(s.source, s.key));
    states[state] = (states[state] ?? 0) + 1;
  }
  const dayStart = DateTime.fromMillis(now, { zone: tz }).startOf('day').toMillis();
  const today = sums.sum(dayStart).usage;
  const recent = sums.recent(undefined, undefined)(now - BURN_MINUTES * MINUTE, now + 1);
  const budgets: BudgetRow[] = [];
  for (const policy of inputs.config.policies) {
    if (policy.scope === 'session') continue;
    const window = policy.window ? windowAt(policy.window, now) : undefined;
    const from = window ? window.start : Number.NEGATIVE_INFINITY;
    const subjects = new Map<string, { source: string; agent: string }>();
    for (const s of sessions) {
      if (!policy.matches(s)) continue;
      if (policy.scope === 'fleet') {
        subjects.set('', { source: '', agent: '' });
        break;
      }
      subjects.set(`${s.source}\u0000${s.agent}`, { source: s.source, agent: s.agent });
    }
    for (const { source, agent } of subjects.values()) {
      const fleet = policy.scope === 'fleet';
      const sum = fleet ? sums.sum(from) : sums.sum(from, source, agent);
      const rate = fleet ? sums.recent(undefined, undefined) : sums.recent(source, agent);
      const context: ConditionContext = sum.known ? { now, aggregate: sum.usage, recent: rate } : { now };
      const verdict = whenVerdict(policy, context);
      const leaf = verdict?.conditions
        .filter(
          (c): c is ConditionVerdict & { metric: string; threshold: number; value: number } =>
            c.metric !== undefined && c.metric in METRICS && (c.op === '>' || c.op === '>=') && c.threshold !== undefined && c.value !== undefined,
        )
        .sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0];
      if (!leaf) continue;
      const fires = sum.known && (policy.condition.holds ? policy.condition.holds(context) : policy.condition.evaluate(context).matched);
      const stateKey = fleet ? `${policy.name}|fleet${window ? `|${window.start}` : ''}` : `${policy.name}|${source}|agent:${agent}${window ? `|${window.start}` : ''}`;
      const handled = inputs.state.episodes.has(stateKey);
      const spent = leaf.value;
      const perHour = (METRICS[leaf.metric]!(rate(now - BURN_MINUTES * MINUTE, now + 1)) * 60) / BURN_MINUTES;
      const runsOutAt = !fires && perHour > 0 ? now + ((leaf.threshold - spent) / perHour) * HOUR : undefined;
      budgets.push({
        policy: policy.name,
        scope: policy.scope,
        subject: fleet ? 'fleet' : `agent ${agent}`,
        ...(fleet ? {} : { agent, source }),
        metric: leaf.metric,
        spent,
        threshold: leaf.threshold,
        ratio: verdict.ratio ?? 0,
        fires,
        level: sum.known ? verdictLevel(fires, handled, verdict.ratio, policy.warn) : 'unknown',
        ...(policy.warn !== undefined ? { warnAt: policy.warn } : {}),
        text: verdict.text,
        ...(window ? { window } : {}),
        perHour,
        ...(runsOutAt !== undefined && (window === undefined || runsOutAt < window.end) ? { runsOutAt: Math.round(runsOutAt) } : {}),
      });
    }
  }
  budgets.sort((a, b) => (a.scope === b.scope ? 0 : a.scope === 'fleet' ? -1 : 1) || b.ratio - a.ratio || a.subject.localeCompare(b.subject));
  const readiness = inputs.readiness();
  const fleetBudget = budgets.find((b) => b.scope === 'fleet');
  return {
    at: now,
    mode,
    demo: readiness.demo,
    ...(fleetBudget ? { fleetBudget } : {}),
    today: { since: dayStart, tz, cost: today.cost, tokens: totalTokens(today) },
    burn: { minutes: BURN_MINUTES, costPerHour: (recent.cost * 60) / BURN_MINUTES, tokensPerMinute: totalTokens(recent) / BURN_MINUTES },
    states,
    sessions: sessions.length,
    sources: readiness.sources,
    budgets,
  };
}
