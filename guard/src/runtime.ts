import { DaemonChannel } from './channel.js';
import type { GuardSettings } from './config.js';
import type { WireGuardEvent, WireUsage } from './protocol.js';
import type { GuardLogger, HarnessRuntime } from './sdk.js';
import { VerdictTable, type Decision, type Subject } from './table.js';
import { HookTiming } from './timing.js';
import { GUARD_VERSION, TESTED_GATEWAY } from './version.js';

/** What the guard takes from outside, injectable for tests. */
export interface GuardDeps {
  /** Loads OpenClaw's harness runtime (the run abort and the gateway's version); default: the SDK subpath. */
  readonly harness?: () => Promise<HarnessRuntime>;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** How often the guard reports its status; default 10 s. */
  readonly statusMs?: number;
  /** Where the one runtime per process is kept; default a slot on globalThis (see sharedRuntime). */
  readonly store?: { runtime?: GuardRuntime };
}

const HARNESS_MODULE = 'openclaw/plugin-sdk/agent-harness-runtime';

async function loadHarness(): Promise<HarnessRuntime> {
  // A variable specifier: the module exists only inside the gateway (OpenClaw resolves plugin-sdk imports for plugins).
  const specifier = HARNESS_MODULE;
  const mod = (await import(specifier)) as Partial<HarnessRuntime>;
  if (typeof mod.abortAgentHarnessRun !== 'function') throw new Error(`${HARNESS_MODULE} has no abortAgentHarnessRun`);
  return mod as HarnessRuntime;
}

/**
 * Everything the guard keeps in a gateway process: the verdict table, the daemon channel, the hook timings and
 * counters. One per process, shared by every registration of the plugin: OpenClaw 2026.9.6 registers a plugin more
 * than once per process (the gateway's registry fires `gateway_start`, the agent runtime's fires the run hooks),
 * each time from a fresh module instance, so the state lives in a process-wide slot rather than in the module.
 */
export class GuardRuntime {
  readonly table: VerdictTable;
  readonly channel: DaemonChannel;
  readonly timing = new HookTiming();
  readonly counts = { blocked: 0, refused: 0 };
  harness: HarnessRuntime | undefined;
  gatewayVersion = 'unknown';
  readonly #deps: GuardDeps;
  readonly #log: GuardLogger;
  /** Runs already reported blocked (one event per run, however many tool calls it tries). */
  readonly #reportedRuns = new Set<string>();
  #recordSeq = 0;
  #statusTimer: ReturnType<typeof setInterval> | undefined;
  #starting: Promise<void> | undefined;

  constructor(
    readonly settings: GuardSettings,
    deps: GuardDeps,
    log: GuardLogger,
  ) {
    this.#deps = deps;
    this.#log = log;
    this.table = new VerdictTable({ failMode: settings.failMode });
    this.channel = new DaemonChannel({
      url: settings.url,
      token: settings.token,
      source: settings.source,
      version: GUARD_VERSION,
      gatewayVersion: () => this.gatewayVersion,
      reconnect: settings.reconnect,
      log,
      onMessage: (message) => {
        this.table.apply(message);
        if (message.type === 'verdict' && message.verdict.state !== 'allowed')
          log.info(`clawwarden verdict for ${message.verdict.key}: ${message.verdict.state}${message.verdict.reason ? ` (${message.verdict.reason})` : ''}`);
      },
      onConnected: (up) => this.table.setConnected(up),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }

  now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  /** Loads the run control and opens the daemon channel (once, whichever registration's gateway_start calls it). */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    try {
      this.harness = await (this.#deps.harness ?? loadHarness)();
      this.gatewayVersion = this.harness.OPENCLAW_VERSION;
    } catch (error) {
      this.#log.warn(`clawwarden guard: cannot load OpenClaw's run control (${(error as Error).message}); blocked tool calls will not end their runs`);
    }
    const compatible = TESTED_GATEWAY.test(this.gatewayVersion);
    if (!compatible) this.#log.warn(`clawwarden guard ${GUARD_VERSION} was tested with OpenClaw 2026.9.x; this gateway is ${this.gatewayVersion}: hooks may behave differently`);
    this.channel.start();
    const sendStatus = (): void =>
      this.channel.setStatus({
        gatewayVersion: this.gatewayVersion,
        compatible: compatible && this.harness !== undefined,
        hooks: this.timing.stats(),
        blocked: this.counts.blocked,
        refused: this.counts.refused,
        pending: this.channel.pending,
        dropped: this.channel.dropped,
      });
    sendStatus();
    this.#statusTimer = setInterval(sendStatus, this.#deps.statusMs ?? 10_000);
    this.#statusTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.#statusTimer) clearInterval(this.#statusTimer);
    await this.channel.stop();
  }

  /** Ends a run in the gateway at once (no further model call); false when that is not possible here. */
  abort(sessionId: string | undefined, key: string): boolean {
    if (!sessionId || !this.harness) return false;
    try {
      return this.harness.abortAgentHarnessRun(sessionId);
    } catch (error) {
      this.#log.warn(`clawwarden guard: aborting the run of ${key} failed: ${(error as Error).message}`);
      return false;
    }
  }

  /** Tells the daemon about a block (once per run) or a refusal. */
  report(kind: WireGuardEvent['kind'], subject: Subject, decision: Exclude<Decision, { allow: true }>): void {
    if (kind === 'blocked') {
      this.counts.blocked++;
      const run = `${subject.key}\u0000${subject.runId ?? ''}`;
      if (this.#reportedRuns.has(run)) return;
      if (this.#reportedRuns.size > 10_000) this.#reportedRuns.clear();
      this.#reportedRuns.add(run);
    } else this.counts.refused++;
    this.channel.queueEvent({
      kind,
      key: subject.key,
      ...(subject.agent ? { agent: subject.agent } : {}),
      ...(subject.sessionId ? { generation: subject.sessionId } : {}),
      ...(subject.runId ? { runId: subject.runId } : {}),
      state: decision.state,
      ...(decision.policy ? { policy: decision.policy } : {}),
      reason: decision.message,
      at: this.now(),
    });
  }

  /** Queues a call's (or an attempt remainder's) usage for the daemon's ledger. */
  forward(key: string, agent: string | undefined, usage: WireUsage, at: number, kind: 'call' | 'remainder', runId?: string): void {
    const generation = this.table.generation(key);
    if (!generation) return;
    const id = kind === 'call' ? `g:${generation}:${at}:${usage.input}:${usage.output}` : `g:remainder:${runId ?? ''}:${++this.#recordSeq}`;
    this.channel.queueUsage({ key, agent: agent ?? /^agent:([^:]+):/.exec(key)?.[1] ?? 'unknown', generation, id, at, usage, kind, ...(runId ? { runId } : {}) });
  }
}

const SLOT = Symbol.for(`clawwarden-guard.runtime@${GUARD_VERSION}`);

/** The process's guard runtime for these settings: the existing one, or a new one (an old one with other settings is stopped). */
export function sharedRuntime(settings: GuardSettings, deps: GuardDeps, log: GuardLogger): GuardRuntime {
  const store = deps.store ?? ((globalThis as Record<symbol, { runtime?: GuardRuntime } | undefined>)[SLOT] ??= {});
  const existing = store.runtime;
  if (existing && JSON.stringify(existing.settings) === JSON.stringify(settings)) return existing;
  if (existing) void existing.stop();
  const runtime = new GuardRuntime(settings, deps, log);
  store.runtime = runtime;
  return runtime;
}
