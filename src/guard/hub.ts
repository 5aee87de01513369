import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/types.js';
import type { Hold } from '../domain/decision.js';
import type { Session, UsageRecord } from '../domain/session.js';
import type { LedgerView } from '../ledger/types.js';
import type { JournalRecord } from '../state/journal.js';
import { protectionMatcher } from '../enforcer/safety.js';
import type { WardenUpdate } from '../http/view.js';
import type { JournalEntry } from '../state/journal-types.js';
import { createGuardMetrics, type GuardMetrics } from './metrics.js';
import { GUARD_PROTOCOL, type GuardReport, type WireGuardEvent, type WireGuardStatus, type WireRule, type WireVerdict } from './protocol.js';
import { GuardServer, type GuardConnection, type GuardPeer } from './server.js';
import { guardedSources } from '../config/settings.js';
import type { GuardConfig } from '../config/types.js';
import { recordFromGuard, UsageMerge } from './usage-merge.js';
import { StopMarks } from './stops.js';
import { capPolicies, rulesOf, verdictFor, verdictSignature, type CapPolicy, type GuardMark } from './verdicts.js';
import { statusOf, type GuardStatus, type GuardView } from './view.js';

/** What the hub needs from the running daemon (the Daemon satisfies it; the daemon folder depends on this one, not back). */
export interface GuardedDaemon {
  /** The running config (replaced on reload). */
  readonly config: Config;
  readonly fleet: {
    readonly ledger: LedgerView;
    session(source: string, key: string): Session | undefined;
    sessions(options?: { includeUnsynced?: boolean }): Session[];
  };
  readonly state: { hold(source: string, key: string): Hold | undefined };
  readonly audit: { append(record: JournalRecord): Promise<unknown> };
  subscribe(listener: (update: WardenUpdate) => void): () => void;
  /** Counts usage a guard reported and evaluates its agent, as for a usage event. */
  ingestUsage(record: UsageRecord): void;
}

export interface GuardHubOptions {
  readonly log: Logger;
  /** clawwarden's version: a guard of another version is flagged (they ship together). */
  readonly version: string;
  readonly registry?: Registry;
  readonly now?: () => number;
  /** How long a guarded source may be without a guard before the daemon says hard caps fall back; default 30 s. */
  readonly graceMs?: number;
}

/** A run on a held session reaches the guard's admission gate after its prompt is built: seconds on a cold session. */
const HOLD_GRACE_MS = 15_000;
/** How often at most usage and inventory changes are pushed (see #scheduleRefresh). */
const REFRESH_MS = 200;

interface SourceState {
  readonly connections: Set<GuardConnection>;
  since?: number;
  peer?: GuardPeer;
  status?: WireGuardStatus;
  lastReportAt?: number;
  blocked: number;
  refused: number;
  usageRecords: number;
  warnTimer?: NodeJS.Timeout;
}

const id = (source: string, key: string): string => `${source}\u0000${key}`;

/**
 * The daemon side of the in-gateway guards. It keeps each guard's verdict table current by pushing a session's verdict
 * whenever it changes (holds, stops decided by the enforcer, caps and the usage they are measured against), counts the
 * usage guards report once (against the gateway events the source already delivers), journals what guards blocked,
 * and says when a guarded source has no guard (hard caps then fall back to the external stop).
 */
export class GuardHub implements GuardView {
  #config: Config;
  #guard: GuardConfig;
  readonly #options: GuardHubOptions;
  #daemon: GuardedDaemon | undefined;
  #server: GuardServer | undefined;
  #unsubscribe: (() => void) | undefined;
  #caps: CapPolicy[] = [];
  #rules: WireRule[] = [];
  #isProtected: (key: string) => boolean = () => false;
  readonly #sources = new Map<string, SourceState>();
  readonly #pushed = new Map<string, { signature: string; verdict: WireVerdict }>();
  readonly #stops = new StopMarks();
  readonly #marks = new Map<string, GuardMark>();
  readonly #merge = new UsageMerge();
  #metrics: GuardMetrics | undefined;
  #address: { host: string; port: number } | undefined;
  #closed = false;
  #refreshTimer: NodeJS.Timeout | undefined;

  constructor(config: Config, options: GuardHubOptions) {
    if (!config.guard) throw new Error('GuardHub needs the guard: block');
    this.#config = config;
    this.#guard = config.guard;
    this.#options = options;
    this.#configure(config);
    if (options.registry) this.#metrics = createGuardMetrics(options.registry, guardedSources(config.sources, config.guard));
  }

  /** Where guards connect (after `start`). */
  get address(): { host: string; port: number } | undefined {
    return this.#address;
  }

  /** Daemon hook: a usage event from the gateway; false when the guard's copy of the call was counted already. */
  admitUsage(record: UsageRecord): boolean {
    if (!this.#sources.has(record.source)) return true;
    return this.#merge.fromStream(record);
  }

  /**
   * Daemon hook: how long to leave a run that starts on a held session to the guard (which refuses it at admission,
   * before any model call, and tells the caller why) before the daemon aborts it from outside. Zero without a guard.
   */
  holdGraceMs(source: string): number {
    return (this.#sources.get(source)?.connections.size ?? 0) > 0 ? HOLD_GRACE_MS : 0;
  }

  /** Starts listening for guards and follows the daemon's changes. */
  async start(daemon: GuardedDaemon): Promise<void> {
    this.#daemon = daemon;
    this.#server = this.#newServer(this.#guard);
    this.#address = await this.#server.listen();
    this.#unsubscribe = daemon.subscribe((update) => this.#onUpdate(update));
    this.#options.log.info({ listen: `${this.#address.host}:${this.#address.port}`, sources: [...this.#sources.keys()] }, `guard channel listening on ${this.#address.host}:${this.#address.port}`);
    for (const source of this.#sources.keys()) this.#armWarning(source);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    for (const s of this.#sources.values()) if (s.warnTimer) clearTimeout(s.warnTimer);
    await this.#server?.close();
  }

  // GuardView ------------------------------------------------------------------------------------------------------

  status(): GuardStatus[] {
    return [...this.#sources].map(([source, s]) => statusOf(source, { ...s, connections: s.connections.size }, this.#hardPolicies(), this.#options.version));
  }

  verdict(source: string, key: string): WireVerdict | undefined {
    if (!this.#sources.has(source)) return undefined;
    const session = this.#daemon?.fleet.session(source, key);
    return session ? this.#compute(session.source, session.key) : this.#pushed.get(id(source, key))?.verdict;
  }

  // internals ------------------------------------------------------------------------------------------------------

  get #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #configure(config: Config): void {
    this.#config = config;
    this.#caps = capPolicies(config.policies, config.mode);
    this.#rules = rulesOf(this.#caps, config.safety.protect);
    this.#isProtected = protectionMatcher(config.safety.protect);
    const wanted = new Set(guardedSources(config.sources, config.guard));
    for (const name of wanted) if (!this.#sources.has(name)) this.#sources.set(name, { connections: new Set(), blocked: 0, refused: 0, usageRecords: 0 });
    for (const [name, s] of this.#sources) {
      if (wanted.has(name)) continue;
      for (const c of s.connections) c.send({ type: 'rules', rules: [], failMode: 'open' });
      this.#sources.delete(name);
    }
  }

  #hardPolicies(): string[] {
    return this.#caps.filter((c) => c.wire.hard).map((c) => c.policy.name);
  }

  #newServer(guard: GuardConfig): GuardServer {
    return new GuardServer({
      listen: guard.listen,
      token: () => this.#guard.token.reveal(),
      log: this.#options.log,
      ...(this.#options.now ? { now: this.#options.now } : {}),
      refuseSource: (source) =>
        this.#sources.has(source)
          ? undefined
          : `source "${source}" is not a guarded openclaw source of this clawwarden (guarded: ${[...this.#sources.keys()].join(', ') || 'none'}); check the guard's "source" setting`,
      connected: (c) => this.#connected(c),
      disconnected: (c) => this.#disconnected(c),
      report: (peer, report) => this.#report(peer, report),
    });
  }

  #connected(c: GuardConnection): void {
    const s = this.#sources.get(c.source);
    if (!s) return;
    s.connections.add(c);
    s.since = c.since;
    s.peer = { source: c.source, version: c.version, gatewayVersion: c.gatewayVersion };
    if (s.warnTimer) clearTimeout(s.warnTimer);
    s.warnTimer = undefined;
    this.#metrics?.setUp(c.source, true);
    const mismatch = c.version !== this.#options.version ? ` (guard ${c.version}, clawwarden ${this.#options.version}: reinstall the guard shipped with this clawwarden)` : '';
    this.#options.log[mismatch ? 'warn' : 'info']({ source: c.source, guard: c.version, gateway: c.gatewayVersion }, `guard of source ${c.source} connected (OpenClaw ${c.gatewayVersion})${mismatch}`);
    void this.#daemon?.audit.append({ type: 'source', source: c.source, reason: `in-gateway guard connected (guard ${c.version}, OpenClaw ${c.gatewayVersion})${mismatch}` });
    c.send({
      type: 'hello',
      protocol: GUARD_PROTOCOL,
      version: this.#options.version,
      source: c.source,
      failMode: this.#guard.failMode,
      rules: this.#rules,
      verdicts: this.#allVerdicts(c.source),
      at: this.#now,
    });
  }

  #disconnected(c: GuardConnection): void {
    const s = this.#sources.get(c.source);
    if (!s) return;
    s.connections.delete(c);
    if (s.connections.size > 0 || this.#closed) return;
    s.since = this.#now;
    this.#metrics?.setUp(c.source, false);
    this.#options.log.warn({ source: c.source }, `guard of source ${c.source} disconnected; it keeps enforcing its last verdicts`);
    void this.#daemon?.audit.append({ type: 'source', source: c.source, reason: 'in-gateway guard disconnected; it keeps enforcing its last verdicts and its own counts' });
    this.#armWarning(c.source);
  }

  /** Says so once when a guarded source stays without a guard while hard caps depend on one. */
  #armWarning(source: string): void {
    const s = this.#sources.get(source);
    if (!s || s.warnTimer) return;
    s.warnTimer = setTimeout(() => {
      s.warnTimer = undefined;
      if (this.#closed || s.connections.size > 0) return;
      const hard = this.#hardPolicies();
      const consequence =
        hard.length > 0 ? `hard caps (${hard.join(', ')}) fall back to the external stop, which lands after the call that crosses them` : 'enforcement is from outside the gateway only';
      const reason = `no in-gateway guard connected for source ${source}: ${consequence}. Install it with: clawwarden openclaw install-guard, then restart the gateway`;
      this.#options.log.warn({ source }, reason);
      void this.#daemon?.audit.append({ type: 'config', source, reason });
    }, this.#options.graceMs ?? 30_000);
    s.warnTimer.unref();
  }

  #onUpdate(update: WardenUpdate): void {
    if (this.#closed || !this.#daemon) return;
    if (this.#daemon.config !== this.#config) void this.#reconfigure(this.#daemon.config);
    if (update.type === 'journal') this.#onJournal(update.entry);
    else if (update.type === 'sessions') this.#scheduleRefresh();
  }

  /**
   * Usage and inventory changes reach the guards at most every REFRESH_MS: each guard counts its calls itself, and what
   * must act at once (a stop decided, a hold placed or released) is pushed from the journal without waiting.
   */
  #scheduleRefresh(): void {
    if (this.#refreshTimer || ![...this.#sources.values()].some((s) => s.connections.size > 0)) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      if (!this.#closed) this.#refreshAll();
    }, REFRESH_MS);
    this.#refreshTimer.unref();
  }

  /** A reload: new caps and rules for every guard; the listener moves if `guard:` changed. */
  async #reconfigure(config: Config): Promise<void> {
    const previous = this.#guard;
    this.#configure(config);
    if (!config.guard) {
      this.#options.log.warn('the guard: block was removed from the config; restart clawwarden to stop the guard channel');
      return;
    }
    this.#guard = config.guard;
    for (const s of this.#sources.values()) for (const c of s.connections) c.send({ type: 'rules', rules: this.#rules, failMode: this.#guard.failMode });
    this.#refreshAll();
    if (config.guard.listen !== previous.listen && this.#server) {
      await this.#server.close();
      this.#server = this.#newServer(config.guard);
      this.#address = await this.#server.listen();
      this.#options.log.info({ listen: config.guard.listen }, 'guard channel moved');
    }
  }

  #onJournal(e: JournalEntry): void {
    const touched = this.#stops.note(
      e,
      (source) => this.#sources.has(source),
      (source, key) => this.#daemon?.fleet.session(source, key)?.generation,
    );
    for (const t of touched) this.#refresh(t.source, t.key);
  }

  #refreshAll(): void {
    const now = this.#now;
    this.#stops.prune(now);
    const daemon = this.#daemon;
    if (!daemon) return;
    const live = new Set<string>();
    for (const session of daemon.fleet.sessions({ includeUnsynced: true })) {
      if (!this.#sources.has(session.source)) continue;
      live.add(id(session.source, session.key));
      this.#refresh(session.source, session.key);
    }
    for (const [k, pushed] of this.#pushed) {
      if (live.has(k)) continue;
      const [source] = k.split('\u0000') as [string];
      this.#pushed.delete(k);
      for (const c of this.#sources.get(source)?.connections ?? []) c.send({ type: 'forget', key: pushed.verdict.key });
    }
  }

  /** Recomputes one session's verdict and pushes it to its source's guards if it changed. */
  #refresh(source: string, key: string): void {
    const verdict = this.#compute(source, key);
    if (!verdict) return;
    const signature = verdictSignature(verdict);
    const k = id(source, key);
    if (this.#pushed.get(k)?.signature === signature) return;
    this.#pushed.set(k, { signature, verdict });
    for (const c of this.#sources.get(source)?.connections ?? []) c.send({ type: 'verdict', verdict });
  }

  #compute(source: string, key: string): WireVerdict | undefined {
    const daemon = this.#daemon;
    const session = daemon?.fleet.session(source, key);
    if (!daemon || !session) return undefined;
    const k = id(source, key);
    const usage = daemon.fleet.ledger.session(source, key, session.generation);
    const hold = daemon.state.hold(source, key);
    const stop = this.#stops.get(source, key);
    const mark = this.#marks.get(k);
    return verdictFor({
      session,
      ...(usage ? { usage } : {}),
      ...(hold ? { hold } : {}),
      ...(stop ? { stop } : {}),
      ...(mark ? { guardMark: mark } : {}),
      caps: this.#caps,
      isProtected: this.#isProtected,
    });
  }

  #allVerdicts(source: string): WireVerdict[] {
    const out: WireVerdict[] = [];
    for (const session of this.#daemon?.fleet.sessions({ includeUnsynced: true }) ?? []) {
      if (session.source !== source) continue;
      const v = this.#compute(source, session.key);
      if (!v) continue;
      this.#pushed.set(id(source, session.key), { signature: verdictSignature(v), verdict: v });
      out.push(v);
    }
    return out;
  }

  #report(peer: GuardPeer, report: GuardReport): void {
    const s = this.#sources.get(peer.source);
    const daemon = this.#daemon;
    if (!s || !daemon) return;
    s.lastReportAt = this.#now;
    if (report.status) s.status = report.status;
    let counted = 0;
    let duplicate = 0;
    for (const raw of report.usage ?? []) {
      const record = recordFromGuard(peer.source, raw);
      if (!record) continue;
      s.usageRecords++;
      if (raw.kind === 'remainder' || this.#merge.fromGuard(record)) {
        daemon.ingestUsage(record);
        counted++;
      } else duplicate++;
    }
    this.#metrics?.recordUsage(peer.source, counted, duplicate);
    for (const event of report.events ?? []) this.#guardEvent(peer.source, s, event);
  }

  /** A guard's event as it arrives (from the network): its kind and key are checked before anything is taken from it. */
  #guardEvent(source: string, s: SourceState, e: (Omit<WireGuardEvent, 'kind' | 'key'> & { kind?: unknown; key?: unknown }) | null): void {
    if (typeof e?.key !== 'string' || (e.kind !== 'blocked' && e.kind !== 'refused')) return;
    if (e.kind === 'blocked') s.blocked++;
    else s.refused++;
    this.#metrics?.recordEvent(source, e.kind);
    const daemon = this.#daemon;
    if (e.state === 'over-cap') {
      this.#marks.set(id(source, e.key), { ...(e.generation ? { generation: e.generation } : {}), reason: e.reason, ...(e.policy ? { policy: e.policy } : {}), at: e.at });
      this.#refresh(source, e.key);
    }
    const detail =
      e.kind === 'blocked' ? 'the in-gateway guard blocked the tool call and aborted the run: no further model call' : 'the in-gateway guard refused the run at admission: no model call was made';
    this.#options.log.info({ source, session: e.key, policy: e.policy, state: e.state }, `guard ${e.kind} ${e.key}: ${e.reason}`);
    void daemon?.audit.append({
      type: 'action',
      action: 'stop',
      result: 'done',
      mode: 'enforce',
      by: 'guard',
      source,
      session: e.key,
      ...(e.generation ? { generation: e.generation } : {}),
      ...(e.agent ? { agent: e.agent } : {}),
      ...(e.policy ? { policy: e.policy } : {}),
      reason: e.reason,
      detail,
    });
  }
}
