import type { Config } from '../config/types.js';
import type { Decision, Measurement } from '../engine/types.js';
import type { Policy } from '../policy/types.js';
import { conditionsUsed, walkWhen } from '../policy/uses.js';
import { formatCount, parseThreshold } from '../domain/units.js';
import { windowAt } from '../policy/window.js';
import type { Session } from '../sources/source.js';
import { TimeHeap } from './heap.js';
import { money, type AgentSeries, type PolicySummary, type ReplayReport, type SessionSummary, type WouldAction, type WouldRefusal } from './report.js';
import { sweepTimes } from './schedule.js';
import { Stage, type Batch, type PerformedAction } from './stage.js';
import { callTokens, type Gap, type Timeline, type TimelineSession } from './timeline.js';
import { totalTokens } from '../domain/session.js';

export interface ReplayOptions {
  readonly config: Config;
  readonly timeline: Timeline;
  /** A stop, kill or pause after which the session's own activity ended within this long is flagged as a likely false positive. Default 5 minutes. */
  readonly settleMs?: number;
}

/** Points per agent in the spend chart. */
const SERIES_POINTS = 240;
/** The daemon's escalation timer fires this long after a step's due time. */
const TIMER_SLACK_MS = 5;

/** A report entry under construction (savings accrue as the prevented calls come by). */
interface Entry {
  policy: string;
  session: string;
  agent: string;
  source: string;
  action: string;
  at: number;
  kind: string;
  step: number;
  result: string;
  reason: string;
  measurements: readonly Measurement[];
  savedTokens: number;
  savedCost: number;
  savedCalls: number;
  /** Tokens the session had spent when the action came (for the false-positive hint). */
  spentBefore: number;
  /** The session's own activity ended this long after the action anyway (a stop: its run; else all of it). */
  endedAfter?: number;
  /** A cleaned-up session was used again this long after. */
  usedAgainAfter?: number;
}

/** One session of the history as it is replayed. */
interface Track {
  readonly index: number;
  /** The stage's id of the session. */
  readonly id: string;
  readonly history: TimelineSession;
  /** Next call to replay, and whether its run's start and the previous run's end are still to come. */
  cursor: number;
  phase: 'start' | 'call' | 'end';
  entered: boolean;
  deleted: boolean;
  activeRun: number;
  /** The run a stop ended, and the action that ended it. */
  stoppedRun: number;
  stoppedBy: Entry | undefined;
  /** A pause, kill or cleanup in force: every later call is prevented. */
  blockedBy: Entry | undefined;
  /** Durations after which a time condition of a matching policy can flip. */
  readonly idle: number[];
  readonly age: number[];
  readonly runtime: number[];
  /** `per` of burn conditions that can turn true as calls age out (`<`, `<=`, `==`). */
  readonly burn: number[];
  readonly cooled: Policy[];
  /** Calls kept for burn flips. */
  recent: number[];
  due: number;
  version: number;
  /** A policy has acted on it (its cooldowns then matter). */
  acted: boolean;
}

/** Replays the history through the daemon's engine and enforcer as if every policy had been on. */
export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  return new Replay(options).run();
}

/**
 * The clock moves through the history call by call. Each call (and each run's start and end) is an event: the
 * calling session's agent is evaluated as the daemon's event-driven evaluation does (its agent's sessions that a time
 * condition has since flipped included); cron ticks evaluate what time has changed since (idle, age, runtime, burn,
 * cooldowns, budget windows, refused batches, fleet budgets); escalation steps run on timers; the enforcer's actions
 * are carried out on the in-memory sessions, and the calls they would have prevented are counted as saved instead of spent.
 */
class Replay {
  readonly #config: Config;
  readonly #original: Config;
  readonly #timeline: Timeline;
  readonly #settle: number;
  readonly #stage: Stage;
  readonly #tracks: Track[];
  readonly #byKey = new Map<string, Track>();
  readonly #byAgent = new Map<string, Track[]>();
  readonly #events = new TimeHeap<Track>();
  readonly #agenda = new TimeHeap<
    { kind: 'session'; track: Track; version: number } | { kind: 'agent'; agent: string } | { kind: 'fleet' } | { kind: 'full' } | { kind: 'timer'; decision: Decision } | { kind: 'mark' }
  >();
  readonly #dueByAgent = new Map<string, TimeHeap<{ track: Track; version: number }>>();
  readonly #tick: (at: number) => number;
  readonly #eventPolicies: Policy[];
  readonly #agentPolicies: Policy[];
  readonly #fleetPolicies: Policy[];
  readonly #agentReps = new Map<string, Map<Policy, Track>>();
  readonly #fleetReps = new Map<Policy, Track>();
  readonly #entries: Entry[] = [];
  readonly #refused: WouldRefusal[] = [];
  readonly #notifications = new Map<string, number>();
  readonly #noops = new Map<string, number>();
  readonly #errors = new Set<string>();
  readonly #performed: PerformedAction[] = [];
  /** Calls prevented per session (for the chart). */
  readonly #savedCalls = new Map<string, number[]>();
  #fleetDue = false;

  constructor(options: ReplayOptions) {
    // As if they had been on: every policy is enforced, whatever mode the config gives it (the report says which were not).
    this.#original = options.config;
    this.#config = { ...options.config, mode: 'enforce', policies: options.config.policies.map((p) => ({ ...p, mode: 'enforce' as const })) };
    this.#timeline = options.timeline;
    this.#settle = options.settleMs ?? 5 * 60_000;
    this.#stage = new Stage({ config: this.#config, now: options.timeline.from, journalLimit: 0, onPerform: (p) => this.#performed.push(p) });
    this.#tick = sweepTimes(options.config.schedule);
    const policies = this.#config.policies;
    this.#eventPolicies = policies.filter((p) => p.scope !== 'fleet');
    this.#agentPolicies = policies.filter((p) => p.scope === 'agent');
    this.#fleetPolicies = policies.filter((p) => p.scope === 'fleet');
    this.#tracks = options.timeline.sessions.map((history, index) => this.#track(history, index));
  }

  async run(): Promise<ReplayReport> {
    const { from, to } = this.#timeline;
    this.#warmUp();
    // The daemon evaluates everything once it has synced: the sessions that exist when the period starts.
    this.#agenda.push(from, { kind: 'full' });
    this.#scheduleWindows();
    for (;;) {
      const te = this.#events.peekTime();
      const ta = this.#agenda.peekTime();
      const t = Math.min(te, ta);
      if (t >= to) break;
      if (ta < te) await this.#onAgenda(ta);
      else await this.#onEvent(this.#events.pop()!);
    }
    this.#stage.advance(to);
    return this.#report(from, to);
  }

  // history -----------------------------------------------------------------------------------------------------

  #track(history: TimelineSession, index: number): Track {
    const track: Track = {
      index,
      id: Stage.id(history.source, history.key),
      history,
      cursor: 0,
      phase: 'start',
      entered: false,
      deleted: false,
      activeRun: -1,
      stoppedRun: -1,
      stoppedBy: undefined,
      blockedBy: undefined,
      idle: [],
      age: [],
      runtime: [],
      burn: [],
      cooled: [],
      recent: [],
      due: Number.POSITIVE_INFINITY,
      version: 0,
      acted: false,
    };
    this.#byKey.set(keyOf(history.source, history.key), track);
    const list = this.#byAgent.get(agentOf(history)) ?? [];
    list.push(track);
    this.#byAgent.set(agentOf(history), list);
    return track;
  }

  /** Calls before the period are history the ledger starts from; sessions enter the stage at their first moment in the period. */
  #warmUp(): void {
    const { from } = this.#timeline;
    for (const track of this.#tracks) {
      const { calls } = track.history;
      let i = 0;
      while (i < calls.length && calls.at[i]! < from) i++;
      const start = track.history.createdAt ?? (calls.length > 0 ? calls.at[0]! : from);
      if (i > 0 || start < from) {
        this.#enter(track, from);
        for (let k = 0; k < i; k++) this.#ingest(track, k);
        const last = i > 0 ? calls.at[i - 1]! : undefined;
        // A run that began before the period and goes on into it: the session is running at the start.
        const open = i > 0 && i < calls.length && calls.run[i] === calls.run[i - 1];
        if (open) track.activeRun = calls.run[i]!;
        this.#put(track, { active: open, ...(open ? { runStartedAt: calls.at[track.history.runs[calls.run[i]!]!.first]! } : {}), ...(last !== undefined ? { lastActivityAt: last } : {}) });
        track.cursor = i;
        track.phase = open ? 'call' : 'start';
        this.#reschedule(track, from);
      }
      this.#queue(track);
    }
  }

  /** Budget windows reset, and paused sessions are released, at the first sweep after each boundary. */
  #scheduleWindows(): void {
    const { from, to } = this.#timeline;
    const seen = new Set<number>();
    for (const p of this.#config.policies) {
      if (!p.window) continue;
      for (let w = windowAt(p.window, from); w.end < to; w = windowAt(p.window, w.end)) {
        if (seen.has(w.end)) continue;
        seen.add(w.end);
        this.#agenda.push(this.#tick(w.end), { kind: 'full' });
      }
    }
  }

  /** Puts the track's next event (run start, call, run end) on the event heap. */
  #queue(track: Track): void {
    const { calls, runs } = track.history;
    if (track.deleted) return;
    if (track.phase === 'end') {
      const run = runs[calls.run[track.cursor - 1]!]!;
      this.#events.push(calls.at[run.last]! + 1, track);
    } else if (track.cursor < calls.length) {
      this.#events.push(calls.at[track.cursor]!, track);
    } else if (!track.entered) {
      // A session with no call in the period still exists from its creation on.
      const at = track.history.createdAt;
      if (at !== undefined && at < this.#timeline.to) this.#events.push(Math.max(at, this.#timeline.from), track);
    }
  }

  async #onEvent(track: Track): Promise<void> {
    const { calls, runs } = track.history;
    if (track.cursor >= calls.length && track.phase !== 'end') {
      // Creation of a session without calls in the period.
      const t = Math.max(track.history.createdAt ?? this.#timeline.from, this.#timeline.from);
      this.#stage.advance(t);
      this.#enter(track, t);
      this.#put(track, { active: false, lastActivityAt: t });
      await this.#evaluateEvent(track, t);
      return;
    }
    if (track.phase === 'end') {
      const r = calls.run[track.cursor - 1]!;
      const t = calls.at[runs[r]!.last]! + 1;
      this.#stage.advance(t);
      track.phase = 'start';
      if (track.activeRun === r && !track.blockedBy && track.stoppedRun !== r) {
        track.activeRun = -1;
        this.#put(track, { active: false, lastActivityAt: t - 1 });
        await this.#evaluateEvent(track, t);
      }
      this.#queue(track);
      return;
    }
    const i = track.cursor;
    const t = calls.at[i]!;
    this.#stage.advance(t);
    const r = calls.run[i]!;
    if (track.phase === 'start') {
      track.phase = 'call';
      if (!track.entered) this.#enter(track, t);
      if (!track.blockedBy && !track.deleted) {
        track.activeRun = r;
        this.#put(track, { active: true, runStartedAt: t });
        await this.#evaluateEvent(track, t);
      }
      // The call of this same instant comes next.
      this.#events.push(t, track);
      return;
    }
    track.cursor++;
    const last = runs[r]!.last === i;
    if (last) track.phase = 'end';
    const preventer = track.blockedBy ?? (track.stoppedRun === r ? track.stoppedBy : undefined);
    if (preventer || track.deleted) {
      if (preventer) this.#save(preventer, track, i);
    } else {
      this.#ingest(track, i);
      if (track.burn.length > 0) track.recent.push(t);
      if (this.#fleetPolicies.length > 0 && !this.#fleetDue) {
        this.#fleetDue = true;
        this.#agenda.push(this.#tick(t), { kind: 'fleet' });
      }
      await this.#evaluateEvent(track, t);
    }
    this.#queue(track);
  }

  #ingest(track: Track, i: number): void {
    const { calls } = track.history;
    const h = track.history;
    this.#stage.call({
      source: h.source,
      key: h.key,
      generation: h.generation,
      agent: h.agent,
      id: `${i}`,
      at: calls.at[i]!,
      input: calls.input[i]!,
      output: calls.output[i]!,
      cacheRead: calls.cacheRead[i]!,
      cacheWrite: calls.cacheWrite[i]!,
      cost: calls.cost[i]!,
    });
  }

  #enter(track: Track, at: number): void {
    if (track.entered) return;
    track.entered = true;
    const h = track.history;
    const session: Session = {
      source: h.source,
      key: h.key,
      generation: h.generation,
      agent: h.agent,
      main: h.main,
      archived: false,
      active: false,
      startedAt: h.createdAt ?? (h.calls.length > 0 ? Math.min(h.calls.at[0]!, at) : at),
      ...(h.model !== undefined ? { model: h.model } : {}),
      ...(h.provider !== undefined ? { provider: h.provider } : {}),
      ...(h.channel !== undefined ? { channel: h.channel } : {}),
      ...(h.kind !== undefined ? { kind: h.kind } : {}),
    };
    this.#stage.put(session);
    this.#thresholds(track, session);
    for (const p of this.#agentPolicies) {
      const reps = this.#agentReps.get(agentOf(h)) ?? new Map<Policy, Track>();
      this.#agentReps.set(agentOf(h), reps);
      if (!reps.has(p) && p.matches(session)) reps.set(p, track);
    }
    for (const p of this.#fleetPolicies) if (!this.#fleetReps.has(p) && p.matches(session)) this.#fleetReps.set(p, track);
  }

  /** The session on the stage with these changes (a new object: the engine remembers sessions by identity). */
  #put(track: Track, change: Partial<Session>): void {
    const current = this.#stage.sessionById(track.id);
    if (!current) return;
    const next: Session = { ...current, ...change };
    if (change.active === false) delete (next as { runStartedAt?: number }).runStartedAt;
    this.#stage.put(next);
  }

  /** Collects the durations after which a time condition of a policy matching this session can flip. */
  #thresholds(track: Track, session: Session): void {
    for (const p of this.#config.policies) {
      if (p.scope !== 'session' || !p.matches(session)) continue;
      if (p.cooldown !== undefined) track.cooled.push(p);
      walkWhen(p.raw['when'], (name, value) => {
        if (name === 'idle' || name === 'age' || name === 'runtime') {
          try {
            track[name].push(parseThreshold(value, 'duration').value);
          } catch {
            // Compiled already: a value the compiler took parses here too.
          }
        } else if (name === 'burn' && value !== null && typeof value === 'object') {
          const b = value as Record<string, unknown>;
          const limit = b['tokens'] ?? b['cost'];
          const op = /^\s*(<=|<|==)/.exec(typeof limit === 'string' ? limit : '');
          const per = parseThreshold(`> ${String(b['per'])}`, 'duration').value;
          if (op) track.burn.push(per);
        }
      });
    }
  }

  // evaluation ------------------------------------------------------------------------------------------------

  /** The daemon's event-driven evaluation: the calling session's agent, fleet policies left to the sweep. */
  async #evaluateEvent(track: Track, at: number): Promise<void> {
    const agent = agentOf(track.history);
    const list: Track[] = [track];
    const due = this.#dueByAgent.get(agent);
    while (due && due.peekTime() <= at) {
      const item = due.pop()!;
      if (item.version === item.track.version && item.track !== track) list.push(item.track);
    }
    for (const rep of this.#agentReps.get(agent)?.values() ?? []) list.push(rep);
    await this.#evaluate('event', list, this.#eventPolicies, at, track);
  }

  async #onAgenda(at: number): Promise<void> {
    this.#stage.advance(at);
    const tracks: Track[] = [];
    let full = false;
    let timer = false;
    let fleet = false;
    while (this.#agenda.peekTime() === at) {
      const item = this.#agenda.pop()!;
      if (item.kind === 'full') full = true;
      else if (item.kind === 'fleet') fleet = true;
      else if (item.kind === 'agent') tracks.push(...(this.#agentReps.get(item.agent)?.values() ?? []));
      else if (item.kind === 'session') {
        if (item.version === item.track.version) tracks.push(item.track);
      } else if (item.kind === 'mark') {
        timer = true;
      } else {
        timer = true;
        if (this.#subjects(item.decision, tracks)) fleet = true;
      }
    }
    // A mark falls due on the daemon's due-timer, whose whole-fleet evaluation acts on it if its policy still decides it,
    // and drops it if not. Every due mark's subject is evaluated, so a decision not made again means the policy no longer
    // matches: the enforcer may then drop it (an evaluation of part of the fleet could not tell that otherwise).
    let settle = false;
    if (timer && this.#stage.state.marks.size > 0)
      for (const mark of this.#stage.state.marks.values()) {
        if (mark.due > at) continue;
        settle = true;
        if (this.#subjects(mark.decision, tracks)) fleet = true;
      }
    if (fleet) {
      this.#fleetDue = false;
      tracks.push(...this.#fleetReps.values());
    }
    if (full) {
      await this.#evaluate(
        'sweep',
        this.#tracks.filter((t) => t.entered && !t.deleted),
        this.#config.policies,
        undefined,
      );
      return;
    }
    // The daemon's timer evaluates everything; only the sessions whose step is due and those a time condition has
    // flipped for by now can decide anything new, so those are what is evaluated.
    if (timer)
      for (const heap of this.#dueByAgent.values())
        while (heap.peekTime() <= at) {
          const item = heap.pop()!;
          if (item.version === item.track.version) tracks.push(item.track);
        }
    if (tracks.length > 0) await this.#evaluate(timer ? 'timer' : 'sweep', tracks, this.#config.policies, undefined, undefined, settle);
  }

  /** Adds the sessions a decision is about to `tracks` (an agent decision's representatives too); true for a fleet decision. */
  #subjects(d: Decision, tracks: Track[]): boolean {
    if (d.scope === 'agent' && d.targets[0]) tracks.push(...(this.#agentReps.get(agentOf(d.targets[0])) ?? new Map<Policy, Track>()).values());
    for (const target of d.targets) {
      const track = this.#byKey.get(keyOf(target.source, target.key));
      if (track) tracks.push(track);
    }
    return d.scope === 'fleet';
  }

  /**
   * `changed`: the one session an event changed; without it, every session evaluated is looked at again for its next flip.
   * `settle`: the evaluation covers every due mark's subject, so the enforcer drops those whose policy was evaluated
   * and did not decide them again.
   */
  async #evaluate(trigger: 'event' | 'sweep' | 'timer', tracks: readonly Track[], policies: readonly Policy[], eventAt: number | undefined, changed?: Track, settle = false): Promise<void> {
    const seen: Track[] = [];
    const sessions: Session[] = [];
    for (const t of tracks.length > 1 ? [...tracks].sort((a, b) => a.index - b.index) : tracks) {
      // Sorted: a repeat is next to its first.
      if (seen[seen.length - 1] === t || !t.entered || t.deleted) continue;
      seen.push(t);
      const s = this.#stage.sessionById(t.id);
      if (s) sessions.push(s);
    }
    if (sessions.length === 0) return;
    const result = this.#stage.decide({ sessions, policies });
    for (const e of result.errors) this.#errors.add(`policy ${e.policy} failed on ${e.subject}: ${e.message}`);
    const now = this.#stage.now;
    if (result.decisions.length > 0 || settle) {
      const decisions = result.decisions.map((d) => this.#complete(d));
      const failed = new Set(result.errors.map((e) => e.policy));
      const evaluated = settle ? new Set(policies.map((p) => p.name).filter((name) => !failed.has(name))) : undefined;
      const batch = await this.#stage.enforce(decisions, { trigger, sessionsInScope: this.#stage.size, ...(eventAt !== undefined ? { eventAt } : {}), ...(evaluated ? { evaluated } : {}) });
      this.#record(batch);
      for (const t of seen) this.#reschedule(t, now);
      return;
    }
    // Nothing decided: only the changed session and those that were due can have a new next flip.
    for (const t of seen) if (changed === undefined || t === changed || t.due <= now) this.#reschedule(t, now);
  }

  /** An agent or fleet decision made on part of the fleet gets every matching session as its targets, as on the whole fleet. */
  #complete(d: Decision): Decision {
    if (d.kind === 'release' || d.scope === 'session') return d;
    const policy = this.#config.policies.find((p) => p.name === d.policy);
    if (!policy) return d;
    const members = d.scope === 'fleet' ? this.#tracks : (this.#byAgent.get(agentOf(d.targets[0] ?? { source: '', agent: d.subject.slice('agent '.length) })) ?? []);
    const sessions = members
      .filter((t) => t.entered && !t.deleted)
      .map((t) => this.#stage.sessionById(t.id))
      .filter((s): s is Session => s !== undefined);
    const again = this.#stage.decide({ sessions, policies: [policy] }).decisions.find((x) => x.id === d.id);
    return again ?? d;
  }

  /** Turns a batch into report entries, carries out what prevents history, and schedules what comes next. */
  #record(batch: Batch): void {
    const at = this.#stage.now;
    const performed = this.#performed.splice(0);
    if (batch.refused) {
      for (const d of batch.refused.decisions) {
        for (const a of d.actions) {
          if (a.action === 'notify') continue;
          for (const target of d.targets)
            this.#refused.push({
              policy: d.policy,
              session: target.key,
              action: a.action,
              at: iso(at),
              why: `blast radius: ${batch.refused.planned} actions planned in one evaluation exceed safety.maxActionsPerSweep (${batch.refused.limit} of ${batch.refused.sessionsInScope} sessions); nothing was done`,
            });
        }
        // Refused decisions are decided again at the next sweep, as the daemon does.
        for (const target of d.targets) {
          const track = this.#byKey.get(keyOf(target.source, target.key));
          if (track) this.#agenda.push(this.#tick(at + 1), { kind: 'session', track, version: track.version });
        }
      }
    }
    for (const d of batch.decided) {
      if (d.actions.some((a) => a.action === 'notify')) this.#notifications.set(d.policy, (this.#notifications.get(d.policy) ?? 0) + 1);
    }
    for (const outcome of batch.outcomes) {
      const d = outcome.decision;
      if (!d) continue;
      // A mark acts (or is dropped) at its due time, on the daemon's due-timer: not at the next sweep.
      if (outcome.status === 'marked' && outcome.due !== undefined && outcome.due < this.#timeline.to) this.#agenda.push(outcome.due, { kind: 'mark' });
      const track = this.#byKey.get(keyOf(outcome.target.source, outcome.target.key));
      if (outcome.status === 'refused' || outcome.status === 'failed') {
        this.#refused.push({ policy: d.policy, session: outcome.target.key, action: outcome.action, at: iso(at), why: outcome.detail });
        continue;
      }
      const index = performed.findIndex((p) => p.request.key === outcome.target.key && p.request.action === outcome.action);
      const p = index >= 0 ? performed.splice(index, 1)[0] : undefined;
      const entry: Entry = {
        policy: d.policy,
        session: outcome.target.key,
        agent: outcome.target.agent,
        source: outcome.target.source,
        action: outcome.action === 'cleanup' ? `cleanup(${p?.request.cleanup ?? 'archive'})` : outcome.action,
        at,
        kind: d.kind,
        step: d.step,
        result: outcome.status,
        reason: d.reason,
        measurements: d.measurements,
        savedTokens: 0,
        savedCost: 0,
        savedCalls: 0,
        spentBefore: 0,
      };
      if (track && p) this.#carryOut(track, entry, p);
      // A stop with no run going (and the like) changes nothing: counted, not listed as a would-be action.
      if (outcome.status === 'noop' && outcome.action !== 'resume') this.#noops.set(d.policy, (this.#noops.get(d.policy) ?? 0) + 1);
      else this.#entries.push(entry);
    }
    for (const d of batch.decided) this.#afterDecision(d, at);
  }

  /** What the action does to the rest of the session's history: a stop ends the run, a pause, kill or cleanup every later call. */
  #carryOut(track: Track, entry: Entry, p: PerformedAction): void {
    const ok = p.result.status === 'done' || p.result.status === 'noop';
    if (!ok) return;
    switch (p.request.action) {
      case 'stop':
        if (p.result.status === 'done' && track.activeRun >= 0) {
          track.stoppedRun = track.activeRun;
          track.stoppedBy = entry;
          track.activeRun = -1;
        }
        break;
      case 'kill':
      case 'pause':
      case 'cleanup':
        track.blockedBy = entry;
        track.activeRun = -1;
        if (p.request.action === 'cleanup' && p.request.cleanup === 'delete') track.deleted = true;
        break;
      case 'resume':
        track.blockedBy = undefined;
        break;
      case 'compact':
        break;
    }
    const h = track.history;
    const usage = this.#stage.ledger.session(h.source, h.key, h.generation)?.totals;
    entry.spentBefore = usage ? totalTokens(usage) : 0;
    const { calls, runs } = h;
    const next = firstAfter(calls.at, p.at);
    if (next >= calls.length) return;
    const run = runs[calls.run[next]!]!;
    if (entry.action === 'stop') {
      // The run going on at the stop ended by itself: when did its last call come?
      if (calls.at[run.first]! <= p.at) entry.endedAfter = calls.at[run.last]! - p.at;
    } else if (entry.action === 'kill' || entry.action === 'pause') {
      entry.endedAfter = calls.at[calls.length - 1]! - p.at;
    } else if (entry.action.startsWith('cleanup')) {
      entry.usedAgainAfter = calls.at[next]! - p.at;
    }
  }

  /**
   * A likely false positive: the session's activity ended by itself within the settle time after a stop, kill or
   * pause, having spent little more (under a tenth of what it had spent) — or a cleaned-up session was used again.
   */
  #hint(e: Entry): string | undefined {
    if (e.usedAgainAfter !== undefined) return `the session was used again ${duration(e.usedAgainAfter)} later`;
    if (e.endedAfter === undefined || e.endedAfter > this.#settle || e.savedTokens > e.spentBefore / 10) return undefined;
    return `${e.action === 'stop' ? 'the run' : "the session's activity"} ended by itself ${duration(e.endedAfter)} later, after ${formatCount(e.savedTokens)} more tokens`;
  }

  /** Escalation timers, cooldown expiries and hold releases of a decision just acted on. */
  #afterDecision(d: Decision, at: number): void {
    if (d.kind !== 'violation' && d.kind !== 'escalation') return;
    for (const target of d.targets) {
      const track = this.#byKey.get(keyOf(target.source, target.key));
      if (track) track.acted = true;
    }
    const policy = this.#config.policies.find((p) => p.name === d.policy);
    const episode = this.#stage.state.episodes.get(d.stateKey);
    if (!policy || !episode) return;
    const step = policy.escalate[episode.stepDone];
    const cooldownUntil = episode.cooldownUntil ?? (policy.cooldown !== undefined ? episode.firedAt + policy.cooldown : undefined);
    if (step) {
      const due = episode.firedAt + step.after + TIMER_SLACK_MS;
      if (!(cooldownUntil !== undefined && cooldownUntil <= due - TIMER_SLACK_MS) && due > at) this.#agenda.push(due, { kind: 'timer', decision: d });
    }
    if (cooldownUntil !== undefined && d.scope !== 'session') {
      const agent = d.scope === 'fleet' ? undefined : d.targets[0];
      this.#agenda.push(this.#tick(cooldownUntil), agent ? { kind: 'agent', agent: agentOf(agent) } : { kind: 'fleet' });
    }
  }

  /** The next time a time condition (or a cooldown) can change this session's verdict; it is evaluated at the first sweep after it. */
  #reschedule(track: Track, now: number): void {
    if (track.deleted) return;
    const h = track.history;
    const s = this.#stage.sessionById(track.id);
    if (!s) return;
    let due = Number.POSITIVE_INFINITY;
    if (!s.active && track.idle.length > 0) {
      const usage = this.#stage.ledger.session(h.source, h.key, h.generation);
      const anchor = Math.max(s.lastActivityAt ?? -Infinity, usage?.lastCallAt ?? -Infinity, s.startedAt ?? -Infinity);
      if (Number.isFinite(anchor)) due = earliest(due, now, anchor + 1, track.idle);
    }
    if (s.startedAt !== undefined) due = earliest(due, now, s.startedAt + 1, track.age);
    if (s.active && s.runStartedAt !== undefined) due = earliest(due, now, s.runStartedAt + 1, track.runtime);
    if (track.burn.length > 0) {
      const longest = Math.max(...track.burn);
      track.recent = track.recent.filter((c) => c > now - longest);
      for (const c of track.recent) due = earliest(due, now, c + 1, track.burn);
    }
    if (track.acted) {
      for (const p of track.cooled) {
        const window = p.window ? `|${windowAt(p.window, now).start}` : '';
        const e = this.#stage.state.episodes.get(`${p.name}|${h.source}|${h.key}|${h.generation}${window}`);
        if (e) due = earliest(due, now, e.cooldownUntil ?? e.firedAt + p.cooldown!, [0]);
      }
    }
    // Unchanged: the entries already queued stand (a busy session is rescheduled on every call).
    if (due === track.due) return;
    track.version++;
    track.due = due;
    if (!Number.isFinite(due) || due >= this.#timeline.to) return;
    const agent = agentOf(h);
    let heap = this.#dueByAgent.get(agent);
    if (!heap) this.#dueByAgent.set(agent, (heap = new TimeHeap()));
    heap.push(due, { track, version: track.version });
    this.#agenda.push(this.#tick(due), { kind: 'session', track, version: track.version });
  }

  // report ----------------------------------------------------------------------------------------------------

  #report(from: number, to: number): ReplayReport {
    const actions: WouldAction[] = this.#entries.map((e) => ({
      policy: e.policy,
      session: e.session,
      agent: e.agent,
      source: e.source,
      action: e.action,
      at: iso(e.at),
      kind: e.kind,
      step: e.step,
      result: e.result,
      reason: e.reason,
      measurements: e.measurements.map((m) => ({ metric: m.metric, value: money(m.value), op: m.op, threshold: m.threshold, text: m.text })),
      savedTokens: e.savedTokens,
      savedCost: money(e.savedCost),
      savedCalls: e.savedCalls,
      ...(this.#hint(e) !== undefined ? { falsePositive: this.#hint(e)! } : {}),
    }));
    const policies: PolicySummary[] = this.#config.policies.map((p, i) => {
      const mine = actions.filter((a) => a.policy === p.name);
      const configured = this.#configuredMode(i);
      return {
        policy: p.name,
        mode: configured,
        actions: mine.length,
        notifications: this.#notifications.get(p.name) ?? 0,
        noops: this.#noops.get(p.name) ?? 0,
        refused: this.#refused.filter((r) => r.policy === p.name).length,
        sessions: new Set(mine.map((a) => a.session)).size,
        savedTokens: mine.reduce((s, a) => s + a.savedTokens, 0),
        savedCost: money(mine.reduce((s, a) => s + a.savedCost, 0)),
        falsePositives: mine.filter((a) => a.falsePositive !== undefined).length,
      };
    });
    const bySession = new Map<string, WouldAction[]>();
    for (const a of actions) {
      const k = keyOf(a.source, a.session);
      const list = bySession.get(k);
      if (list) list.push(a);
      else bySession.set(k, [a]);
    }
    const sessions: SessionSummary[] = [];
    let calls = 0;
    let tokens = 0;
    let cost = 0;
    for (const t of this.#tracks) {
      const c = t.history.calls;
      let n = 0;
      let tk = 0;
      let usd = 0;
      for (let i = firstAfter(c.at, from - 1); i < c.length && c.at[i]! < to; i++) {
        n++;
        tk += callTokens(c, i);
        usd += c.cost[i]!;
      }
      calls += n;
      tokens += tk;
      cost += usd;
      const mine = bySession.get(keyOf(t.history.source, t.history.key)) ?? [];
      if (n === 0 && mine.length === 0) continue;
      sessions.push({
        session: t.history.key,
        agent: t.history.agent,
        calls: n,
        tokens: tk,
        cost: money(usd),
        actions: mine.length,
        savedTokens: mine.reduce((s, a) => s + a.savedTokens, 0),
        savedCost: money(mine.reduce((s, a) => s + a.savedCost, 0)),
      });
    }
    return {
      origin: this.#timeline.origin,
      config: this.#config.file,
      from: iso(from),
      to: iso(to),
      totals: {
        sessions: sessions.length,
        calls,
        tokens,
        cost: money(cost),
        actions: actions.length,
        savedTokens: actions.reduce((s, a) => s + a.savedTokens, 0),
        savedCost: money(actions.reduce((s, a) => s + a.savedCost, 0)),
      },
      policies,
      actions,
      refused: this.#refused,
      sessions,
      gaps: [...this.#timeline.gaps, ...unmeasured(this.#original.policies)],
      errors: [...this.#errors],
      series: this.#series(from, to),
    };
  }

  #configuredMode(i: number): 'enforce' | 'observe' {
    return (this.#original.policies[i]?.mode ?? this.#original.mode) === 'dry-run' ? 'observe' : 'enforce';
  }

  /** Adds a prevented call to the entry that prevented it. */
  #save(entry: Entry, track: Track, i: number): void {
    const c = track.history.calls;
    entry.savedTokens += callTokens(c, i);
    entry.savedCost += c.cost[i]!;
    entry.savedCalls++;
    const key = keyOf(track.history.source, track.history.key);
    const list = this.#savedCalls.get(key);
    if (list) list.push(i);
    else this.#savedCalls.set(key, [i]);
  }

  /** Cumulative spend per agent, as it happened and as it would have with the prevented calls taken out. */
  #series(from: number, to: number): AgentSeries[] {
    const step = Math.max(1, Math.ceil((to - from) / SERIES_POINTS));
    const prevented = new Map<string, number[]>();
    for (const [agent, tracks] of [...this.#byAgent].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const actual = new Float64Array(SERIES_POINTS + 1);
      for (const t of tracks) {
        const c = t.history.calls;
        for (let i = firstAfter(c.at, from - 1); i < c.length && c.at[i]! < to; i++) actual[Math.floor((c.at[i]! - from) / step) + 1]! += c.cost[i]!;
      }
      prevented.set(agent, [...actual]);
    }
    const out: AgentSeries[] = [];
    for (const [agent, actual] of prevented) {
      const saved = new Float64Array(SERIES_POINTS + 1);
      for (const key of this.#savedCalls.keys()) {
        const track = this.#byKey.get(key);
        if (!track || agentOf(track.history) !== agent) continue;
        const c = track.history.calls;
        for (const i of this.#savedCalls.get(key)!) saved[Math.floor((c.at[i]! - from) / step) + 1]! += c.cost[i]!;
      }
      let a = 0;
      let w = 0;
      const points: [number, number, number][] = [];
      for (let k = 0; k <= SERIES_POINTS; k++) {
        a += actual[k]!;
        w += actual[k]! - saved[k]!;
        points.push([Math.min(to, from + k * step), money(a), money(w)]);
      }
      out.push({ agent: agent.split('\u0000')[1] ?? agent, points });
    }
    return out;
  }
}

/** The earliest of `due` and `base + d` over `durations`, counting only times after `now`. */
function earliest(due: number, now: number, base: number, durations: readonly number[]): number {
  for (let i = 0; i < durations.length; i++) {
    const t = base + durations[i]!;
    if (t > now && t < due) due = t;
  }
  return due;
}

/** First index with at[i] > t. */
function firstAfter(at: Float64Array, t: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const keyOf = (source: string, key: string): string => `${source}\u0000${key}`;
const agentOf = (s: { source: string; agent: string }): string => `${s.source}\u0000${s.agent}`;
const iso = (ms: number): string => new Date(ms).toISOString();

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

/** Conditions replay has no history for: the time a person last wrote to a session is not among the recorded calls. */
const UNMEASURED: Readonly<Record<string, string>> = {
  'idle.human': 'idle.human (time since a person last wrote to the session): the history holds model calls, not who prompted them',
};

/** A gap per policy that uses a condition replay cannot measure: it never matches through it in the report. */
function unmeasured(policies: readonly Policy[]): Gap[] {
  return policies.flatMap((policy) =>
    [...conditionsUsed(policy)]
      .filter((name) => name in UNMEASURED)
      .map((name): Gap => ({ kind: 'unmeasured', detail: `policy ${policy.name} uses ${UNMEASURED[name]!}; it never matches through it in this replay, while the daemon measures it live` })),
  );
}
