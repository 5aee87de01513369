import type { Config } from '../config/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { Session, Usage } from '../domain/session.js';
import { cacheTokens, totalTokens } from '../domain/session.js';
import { LedgerEntry, lowerBound, WIDTH } from '../ledger/entry.js';
import type { SessionUsageView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import { windowAt } from '../policy/window.js';
import type { Journal } from '../state/journal.js';
import type { JournalEntry } from '../state/journal-types.js';
import type { StateStore } from '../state/store.js';
import type { BoardSessionView, CallRecord, LadderStep, PolicyVerdict, SessionNote, SessionView } from '../http/view.js';
import { whenVerdict } from './verdict.js';

/** Minutes of the sparkline on each card. */
export const SPARK_MINUTES = 30;
/** Burn rates (cards, header, forecasts) are measured over this many minutes. */
export const BURN_MINUTES = 5;
const MINUTE = 60_000;
/** How much of the journal the console remembers: entries per session, sessions, markers, decision texts. */
const PER_SESSION = 16;
const MAX_SESSIONS = 20_000;
const MAX_MARKERS = 5_000;
const MAX_DECISIONS = 5_000;
/** Entries of earlier runs read once, when the console first asks. */
const BACKFILL = 5_000;
const OK_RESULTS = new Set(['done', 'noop', 'would']);

/** What the console's data is read from: the daemon's live fleet, enforcement state, journal and config. */
export interface ConsoleInputs {
  readonly fleet: { readonly ledger: { session(source: string, key: string, generation: string): SessionUsageView | undefined } };
  readonly state: StateStore;
  readonly audit: Journal;
  readonly config: Config;
  readonly now: () => number;
}

/**
 * The journal as the console needs it, kept in memory from the daemon's start (plus one read of earlier entries on
 * first use): per session its latest actions and recent entries, decision measurements by id, and the actions as
 * chart markers. Bounded; the oldest sessions and markers are forgotten first.
 */
export class ConsoleJournal {
  readonly #entries = new Map<string, JournalEntry[]>();
  readonly #decisions = new Map<string, string>();
  readonly #markers: JournalEntry[] = [];
  readonly #startSeq: number;
  #backfill?: Promise<void>;

  constructor(private readonly journal: Journal) {
    this.#startSeq = journal.lastSeq;
    journal.subscribe((entry) => this.note(entry));
  }

  /** Reads the entries written before this process started (once); later calls wait for that read. */
  ready(): Promise<void> {
    this.#backfill ??= (async () => {
      if (this.#startSeq === 0) return;
      const older = await this.journal.read({ limit: BACKFILL, before: this.#startSeq + 1 }).catch(() => []);
      // Newest first, each placed before what is known: the index ends up oldest first, keeping the newest entries.
      for (const entry of older) this.note(entry, true);
    })();
    return this.#backfill;
  }

  /** Takes one entry into the index; `old` ones (backfill) go before what is already known. */
  note(entry: JournalEntry, old = false): void {
    if (entry.type === 'decision' && entry.decision && entry.measurements && entry.measurements.length > 0) {
      if (!old || !this.#decisions.has(entry.decision)) this.#decisions.set(entry.decision, entry.measurements.map((m) => m.text).join('; '));
      if (this.#decisions.size > MAX_DECISIONS) this.#decisions.delete(this.#decisions.keys().next().value!);
    }
    if (entry.type === 'action' && entry.action !== 'notify') {
      if (old) this.#markers.unshift(entry);
      else this.#markers.push(entry);
      if (this.#markers.length > MAX_MARKERS) this.#markers.splice(0, this.#markers.length - MAX_MARKERS);
    }
    if (!entry.session) return;
    const id = `${entry.source ?? ''}\u0000${entry.session}`;
    let list = this.#entries.get(id);
    if (!list) {
      if (old && this.#entries.size >= MAX_SESSIONS) return;
      this.#entries.set(id, (list = []));
      if (this.#entries.size > MAX_SESSIONS) this.#entries.delete(this.#entries.keys().next().value!);
    }
    if (old) {
      if (list.length >= PER_SESSION || list.some((e) => e.seq === entry.seq)) return;
      list.unshift(entry);
    } else {
      list.push(entry);
      if (list.length > PER_SESSION) list.shift();
    }
  }

  /** Recent entries about a session (any source when `source` is undefined), oldest first. */
  entries(key: string, source?: string): readonly JournalEntry[] {
    if (source !== undefined) return this.#entries.get(`${source}\u0000${key}`) ?? [];
    return [...this.#entries.entries()].filter(([id]) => id.endsWith(`\u0000${key}`)).flatMap(([, list]) => list);
  }

  /** The latest action (not notify) or release on this session generation, optionally of one policy. */
  lastAction(session: Session, policy?: string): JournalEntry | undefined {
    const list = this.#entries.get(`${session.source}\u0000${session.key}`);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i]!;
      // A release (a hold lifted without a platform call, e.g. Resume of a held main session) counts as a resume.
      if ((e.type !== 'action' && e.type !== 'release') || e.action === 'notify' || (e.generation !== undefined && e.generation !== session.generation)) continue;
      if (policy === undefined || e.policy === policy) return e;
    }
    return undefined;
  }

  /** The measured values of a decision (`tokens.total 231,402 > 200,000`), when it is still remembered. */
  decisionText(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.#decisions.get(id);
  }

  /** Actions with a time in [from, to], oldest first. */
  markers(from: number, to: number): JournalEntry[] {
    return this.#markers.filter((e) => {
      const at = Date.parse(e.time);
      return at >= from && at <= to;
    });
  }
}

/** Session-scope policies of the config that match this session, with the engine's state key of each. */
function sessionPolicies(config: Config, session: Session, now: number): { policy: Policy; stateKey: string; window?: { start: number; end: number } }[] {
  const out: { policy: Policy; stateKey: string; window?: { start: number; end: number } }[] = [];
  for (const policy of config.policies) {
    if (policy.scope !== 'session' || !policy.matches(session)) continue;
    const window = policy.window ? windowAt(policy.window, now) : undefined;
    const base = `${policy.name}|${session.source}|${session.key}|${session.generation}`;
    out.push({ policy, stateKey: window ? `${base}|${window.start}` : base, ...(window ? { window } : {}) });
  }
  return out;
}

/** Verdict level from whether the policy fires, was acted on, and how close it is. */
export function verdictLevel(fires: boolean, handled: boolean, ratio: number | undefined, warnAt: number | undefined): PolicyVerdict['level'] {
  if (fires) return handled ? 'handled' : 'over';
  if (ratio === undefined) return 'unknown';
  return ratio >= (warnAt ?? 0.8) ? 'warn' : 'ok';
}

/** A journal action entry as a card's note. */
export function noteOf(entry: JournalEntry, index: ConsoleJournal): SessionNote {
  const measured = index.decisionText(entry.decision);
  const reason = measured ?? entry.reason.replace(/ \(policy [^)]*\)$/, '');
  return {
    action: entry.action ?? (entry.type === 'release' ? 'resume' : 'action'),
    result: entry.result ?? 'done',
    by: entry.by ?? 'policy',
    ...(entry.policy ? { policy: entry.policy } : {}),
    ...(entry.mode ? { mode: entry.mode } : {}),
    at: Date.parse(entry.time),
    reason,
    ...(entry.result === 'failed' || entry.result === 'refused' ? { detail: entry.detail ?? '' } : {}),
  };
}

/** The console's extras for one session: each policy's own verdict (with every condition when `detail`), the last action's note, the ladder's next step, recent spend. */
export function boardExtras(view: SessionView, inputs: ConsoleInputs, index: ConsoleJournal, detail = false): BoardSessionView {
  const { session } = view;
  const now = inputs.now();
  const usage = inputs.fleet.ledger.session(session.source, session.key, session.generation);
  const hold = inputs.state.hold(session.source, session.key);
  const verdicts: PolicyVerdict[] = [];
  let next: LadderStep | undefined;
  for (const { policy, stateKey, window } of sessionPolicies(inputs.config, session, now)) {
    const context: ConditionContext = {
      now,
      session,
      ...(usage ? { usage } : {}),
      ...(hold ? { hold } : {}),
      ...(window && usage?.known ? { aggregate: usage.between(window.start, now + 1) } : {}),
    };
    const verdict = whenVerdict(policy, context);
    const fires = policy.condition.holds ? policy.condition.holds(context) : policy.condition.evaluate(context).matched;
    const episode = inputs.state.episodes.get(stateKey);
    const last = episode ? index.lastAction(session, policy.name) : undefined;
    // Acted on: its episode is recorded and its latest action (if it had one to take) went through.
    const handled = episode !== undefined && (last === undefined || OK_RESULTS.has(last.result ?? 'done'));
    const ratio = verdict?.ratio;
    if (verdict === undefined && !policy.condition.usesUsage) continue;
    verdicts.push({
      policy: policy.name,
      ratio: ratio ?? 0,
      fires,
      level: verdictLevel(fires, handled, ratio, policy.warn),
      ...(policy.warn !== undefined ? { warnAt: policy.warn } : {}),
      text: verdict?.text ?? '',
      // Each condition's measurement only for one session's detail: the list of every session stays small.
      ...(detail ? { conditions: verdict?.conditions ?? [] } : {}),
      ...(episode ? { handledAt: episode.firedAt } : {}),
    });
    const step = episode ? policy.escalate[episode.stepDone] : undefined;
    if (episode && step) {
      const due = episode.firedAt + step.after;
      const cooldownUntil = episode.cooldownUntil ?? (policy.cooldown !== undefined ? episode.firedAt + policy.cooldown : undefined);
      if ((cooldownUntil === undefined || cooldownUntil > due) && (next === undefined || due < next.due)) {
        next = { policy: policy.name, step: episode.stepDone + 1, actions: step.actions.map((a) => a.action), due, ifActive: step.ifActive };
      }
    }
  }
  const last = index.lastAction(session);
  return {
    ...view,
    verdicts,
    ...(last ? { note: noteOf(last, index) } : {}),
    ...(next ? { next } : {}),
    spark: spark(usage, now),
    burn: burnOf(usage, now),
  };
}

/** Cost per minute over the last SPARK_MINUTES, oldest first (rounded to 0.1 micro-dollar to keep the JSON small). */
export function spark(usage: SessionUsageView | undefined, now: number): number[] {
  const out = new Array<number>(SPARK_MINUTES).fill(0);
  if (!usage || usage.lastUsageAt === undefined) return out;
  const last = Math.floor(now / MINUTE);
  const first = last - SPARK_MINUTES + 1;
  if (usage.lastUsageAt < first * MINUTE) return out;
  if (usage instanceof LedgerEntry) {
    const { minutes, bucketUse } = usage;
    for (let i = lowerBound(minutes, first); i < minutes.length && minutes[i]! <= last; i++) out[minutes[i]! - first] = out[minutes[i]! - first]! + bucketUse[i * WIDTH + 4]!;
  } else {
    for (let m = 0; m < SPARK_MINUTES; m++) out[m] = usage.between((first + m) * MINUTE, (first + m + 1) * MINUTE).cost;
  }
  return out.map((c) => Math.round(c * 1e7) / 1e7);
}

/** Spend rates over the last BURN_MINUTES. */
export function burnOf(usage: SessionUsageView | undefined, now: number): { costPerHour: number; tokensPerMinute: number } {
  if (!usage || usage.lastUsageAt === undefined || usage.lastUsageAt < now - BURN_MINUTES * MINUTE) return { costPerHour: 0, tokensPerMinute: 0 };
  const u: Usage = usage.between(now - BURN_MINUTES * MINUTE, now + 1);
  return { costPerHour: (u.cost * 60) / BURN_MINUTES, tokensPerMinute: totalTokens(u) / BURN_MINUTES };
}

/** The session's recent model calls from the ledger (the last few dozen it keeps exactly), newest first. */
export function recentCalls(usage: SessionUsageView | undefined): CallRecord[] {
  if (!(usage instanceof LedgerEntry)) return [];
  const out: CallRecord[] = [];
  for (let i = usage.recentAt.length - 1; i >= 0; i--) {
    const b = i * WIDTH;
    const u = usage.recentUse;
    const call = { input: u[b]!, output: u[b + 1]!, cacheRead: u[b + 2]!, cacheWrite: u[b + 3]!, cost: u[b + 4]! };
    out.push({ at: usage.recentAt[i]!, ...call, cache: cacheTokens(call), total: totalTokens(call) });
  }
  return out;
}
