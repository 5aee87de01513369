import { crossedMessage, failClosedMessage, hardCapMessage, stateMessage } from './messages.js';
import { projectNext } from './projection.js';
import type { DaemonMessage, FailMode, VerdictState, WireCap, WireRule, WireUsage, WireVerdict } from './protocol.js';
import { addInto, metricOf, zeroUsage } from './usage.js';

/** One model call as the guard saw it. */
export interface Call extends WireUsage {
  /** Epoch ms (the assistant message's timestamp). */
  readonly at: number;
}

/** Who a hook is about; every field but `key` may be missing on some OpenClaw paths. */
export interface Subject {
  readonly key: string;
  readonly agent?: string;
  readonly sessionId?: string;
  readonly runId?: string;
}

/** A hook's answer: go on, or stop with a message that says why and how to continue. */
export type Decision = { readonly allow: true } | { readonly allow: false; readonly state: VerdictState | 'fail-closed'; readonly policy?: string; readonly message: string };

const ALLOW: Decision = Object.freeze({ allow: true });
/** Calls kept per session for the projection. */
const RECENT = 8;
/** Calls kept per session that the daemon has not counted yet (a long daemon outage). */
const PENDING_MAX = 4096;
/** Clock skew tolerated between the daemon's `since` and the gateway's run start. */
const SKEW_MS = 1_000;
/** A `stopped` verdict only concerns runs that were going when it was made; after this it is moot. */
const STOP_TTL_MS = 10 * 60_000;

interface Run {
  readonly id: string;
  readonly startedAt: number;
  /** Usage of this run's calls the guard saw. */
  readonly sum: { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number };
  /** `sum` as it was at the last `llm_output` (an attempt's total covers the calls since). */
  reported: WireUsage;
}

interface Local {
  generation?: string;
  /** Calls the current verdict's `usage` does not include yet. */
  pending: Call[];
  /** The latest calls of this generation, oldest first. */
  recent: Call[];
  run?: Run;
}

interface Rule {
  readonly cap: WireCap;
  readonly keys?: readonly RegExp[];
  readonly agents?: readonly RegExp[];
  readonly excludeKeys?: readonly RegExp[];
  readonly excludeAgents?: readonly RegExp[];
}

const BLOCKING: ReadonlySet<VerdictState> = new Set(['paused', 'held', 'killed', 'over-cap']);

/**
 * The guard's in-memory picture: the daemon's last verdict per session, the cap rules for sessions without one, and
 * the calls the guard saw itself. Every decision is a few Map lookups and additions: no I/O, no awaiting.
 */
export class VerdictTable {
  readonly #verdicts = new Map<string, WireVerdict>();
  readonly #local = new Map<string, Local>();
  #rules: Rule[] = [];
  #failMode: FailMode;
  #connected = false;

  constructor(options: { readonly failMode: FailMode }) {
    this.#failMode = options.failMode;
  }

  /** The daemon channel is up (verdicts are live) or not (the last ones stay in force). */
  setConnected(up: boolean): void {
    this.#connected = up;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get failMode(): FailMode {
    return this.#failMode;
  }

  /** How many sessions have a verdict. */
  get size(): number {
    return this.#verdicts.size;
  }

  verdict(key: string): WireVerdict | undefined {
    return this.#verdicts.get(key);
  }

  /** Applies one message from the daemon. */
  apply(message: DaemonMessage): void {
    switch (message.type) {
      case 'hello':
        this.#verdicts.clear();
        for (const v of message.verdicts) this.#set(v);
        this.#setRules(message.rules, message.failMode);
        return;
      case 'verdict':
        this.#set(message.verdict);
        return;
      case 'forget':
        this.#verdicts.delete(message.key);
        return;
      case 'rules':
        this.#setRules(message.rules, message.failMode);
        return;
    }
  }

  /** A run starts (or is first seen) on `subject`; also learns the session's current generation. */
  runStarted(subject: Subject, now: number): void {
    const local = this.#localFor(subject.key, subject.sessionId);
    const id = subject.runId ?? `unknown-${now}`;
    if (local.run?.id === id) return;
    local.run = { id, startedAt: now, sum: zeroUsage(), reported: zeroUsage() };
  }

  /** A model call completed on `key` (its assistant message is about to be written). */
  callCompleted(key: string, call: Call, sessionId?: string): void {
    const local = this.#localFor(key, sessionId);
    if (local.pending.length >= PENDING_MAX) local.pending.shift();
    local.pending.push(call);
    local.recent.push(call);
    if (local.recent.length > RECENT) local.recent.shift();
    if (local.run) addInto(local.run.sum, call);
  }

  /** The session's generation as the gateway runs it now, if known. */
  generation(key: string): string | undefined {
    return this.#local.get(key)?.generation;
  }

  /**
   * For an `llm_output` (one attempt's summed usage): what the calls the guard saw since the previous attempt came
   * to, so the caller can tell what the attempt spent beyond them. Zero when the guard does not know the run.
   */
  takeAttemptCalls(key: string, runId: string): WireUsage {
    const run = this.#local.get(key)?.run;
    if (!run || run.id !== runId) return zeroUsage();
    const { sum, reported } = run;
    run.reported = { ...sum };
    return {
      input: sum.input - reported.input,
      output: sum.output - reported.output,
      cacheRead: sum.cacheRead - reported.cacheRead,
      cacheWrite: sum.cacheWrite - reported.cacheWrite,
      cost: sum.cost - reported.cost,
    };
  }

  /** The session ended or was reset or deleted: forget what the guard counted for it. */
  sessionEnded(key: string): void {
    this.#local.delete(key);
  }

  /** `before_tool_call`: may this run go on past its next tool call? */
  toolCall(subject: Subject, now: number): Decision {
    const verdict = this.#verdicts.get(subject.key);
    if (verdict) {
      if (BLOCKING.has(verdict.state)) return { allow: false, state: verdict.state, ...policyOf(verdict), message: stateMessage(verdict, subject.key, false) };
      if (verdict.state === 'stopped' && this.#startedBefore(subject, verdict.since, now)) {
        return { allow: false, state: 'stopped', ...policyOf(verdict), message: stateMessage(verdict, subject.key, false) };
      }
    } else if (!this.#connected && this.#failMode === 'closed') {
      return { allow: false, state: 'fail-closed', message: failClosedMessage(subject.key, false) };
    }
    const local = this.#local.get(subject.key);
    for (const cap of verdict ? verdict.caps : this.#rulesFor(subject)) {
      const used = this.#used(cap, verdict, local);
      if (cap.hard) {
        const next = projectNext(local ? local.recent.map((c) => metricOf(cap.metric, c)) : []);
        if (violates(cap, used) || (next !== undefined && violates(cap, used + next))) {
          return { allow: false, state: 'over-cap', policy: cap.policy, message: hardCapMessage(subject.key, cap, used, next, false) };
        }
      } else if (violates(cap, used) && !violates(cap, used - runPart(cap, local, subject, used))) {
        // Crossed during this run (or a run the guard did not see start): the run ends here, as the daemon's stop would.
        return { allow: false, state: 'stopped', policy: cap.policy, message: crossedMessage(subject.key, cap, used) };
      }
    }
    return ALLOW;
  }

  /** `before_agent_run`: may a run start on this session at all? */
  admit(subject: Subject): Decision {
    const verdict = this.#verdicts.get(subject.key);
    if (verdict) {
      if (BLOCKING.has(verdict.state)) return { allow: false, state: verdict.state, ...policyOf(verdict), message: stateMessage(verdict, subject.key, true) };
    } else if (!this.#connected && this.#failMode === 'closed') {
      return { allow: false, state: 'fail-closed', message: failClosedMessage(subject.key, true) };
    }
    const local = this.#local.get(subject.key);
    for (const cap of verdict ? verdict.caps : this.#rulesFor(subject)) {
      if (!cap.hard) continue;
      const used = this.#used(cap, verdict, local);
      const next = projectNext(local ? local.recent.map((c) => metricOf(cap.metric, c)) : []);
      if (violates(cap, used) || (next !== undefined && violates(cap, used + next))) {
        return { allow: false, state: 'over-cap', policy: cap.policy, message: hardCapMessage(subject.key, cap, used, next, true) };
      }
    }
    return ALLOW;
  }

  #set(v: WireVerdict): void {
    this.#verdicts.set(v.key, v);
    const local = this.#local.get(v.key);
    if (!local || v.through === undefined || !sameGeneration(v, local)) return;
    const through = v.through;
    if (local.pending.length > 0 && local.pending[0]!.at <= through) local.pending = local.pending.filter((c) => c.at > through);
  }

  #setRules(rules: readonly WireRule[], failMode: FailMode): void {
    this.#failMode = failMode;
    this.#rules = rules.flatMap((r) => {
      try {
        return [{ cap: r.cap, ...regexes('keys', r.keys), ...regexes('agents', r.agents), ...regexes('excludeKeys', r.excludeKeys), ...regexes('excludeAgents', r.excludeAgents) }];
      } catch {
        // A pattern this runtime cannot compile: that rule cannot be applied here; the daemon's verdicts still are.
        return [];
      }
    });
  }

  #rulesFor(subject: Subject): WireCap[] {
    if (this.#rules.length === 0) return [];
    const agent = subject.agent ?? /^agent:([^:]+):/.exec(subject.key)?.[1] ?? '';
    const caps: WireCap[] = [];
    for (const r of this.#rules) {
      if (r.keys && !r.keys.some((re) => re.test(subject.key))) continue;
      if (r.agents && !r.agents.some((re) => re.test(agent))) continue;
      if (r.excludeKeys?.some((re) => re.test(subject.key))) continue;
      if (r.excludeAgents?.some((re) => re.test(agent))) continue;
      caps.push(r.cap);
    }
    return caps;
  }

  /** The cap's metric for the session: the daemon's count (same generation) plus the calls it has not counted yet. */
  #used(cap: WireCap, verdict: WireVerdict | undefined, local: Local | undefined): number {
    let used = verdict?.usage && (!local || sameGeneration(verdict, local)) ? metricOf(cap.metric, verdict.usage) : 0;
    if (local) for (const c of local.pending) used += metricOf(cap.metric, c);
    return used;
  }

  /** The subject's run started no later than `since` (or the guard never saw it start). */
  #startedBefore(subject: Subject, since: number, now: number): boolean {
    if (now - since > STOP_TTL_MS) return false;
    const run = this.#local.get(subject.key)?.run;
    if (!run || (subject.runId !== undefined && run.id !== subject.runId)) return true;
    return run.startedAt <= since + SKEW_MS;
  }

  #localFor(key: string, sessionId: string | undefined): Local {
    let local = this.#local.get(key);
    if (!local) {
      local = { pending: [], recent: [], ...(sessionId ? { generation: sessionId } : {}) };
      this.#local.set(key, local);
    } else if (sessionId && local.generation !== sessionId) {
      // Reset or rolled: a new generation counts from zero.
      const fresh: Local = { generation: sessionId, pending: [], recent: [] };
      this.#local.set(key, fresh);
      local = fresh;
    }
    return local;
  }
}

/** What this run added to the cap's metric; all of `used` when the guard did not see the run start. */
function runPart(cap: WireCap, local: Local | undefined, subject: Subject, used: number): number {
  const run = local?.run;
  if (!run || (subject.runId !== undefined && run.id !== subject.runId)) return used;
  return metricOf(cap.metric, run.sum);
}

function violates(cap: WireCap, value: number): boolean {
  return cap.inclusive ? value >= cap.limit : value > cap.limit;
}

function sameGeneration(v: WireVerdict, local: Local): boolean {
  return v.generation === undefined || local.generation === undefined || v.generation === local.generation;
}

function policyOf(v: WireVerdict): { policy?: string } {
  return v.policy !== undefined ? { policy: v.policy } : {};
}

function regexes(name: string, sources: readonly string[] | undefined): Record<string, RegExp[]> {
  return sources && sources.length > 0 ? { [name]: sources.map((s) => new RegExp(s)) } : {};
}
