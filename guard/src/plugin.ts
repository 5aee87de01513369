import { DaemonChannel } from './channel.js';
import { readSettings } from './config.js';
import type { WireGuardEvent, WireUsage } from './protocol.js';
import type { GuardPluginApi, HarnessRuntime } from './sdk.js';
import { VerdictTable, type Decision, type Subject } from './table.js';
import { HookTiming } from './timing.js';
import { usageFrom } from './usage.js';
import { GUARD_VERSION, TESTED_GATEWAY } from './version.js';

/** What the guard takes from outside, injectable for tests. */
export interface GuardDeps {
  /** Loads OpenClaw's harness runtime (the run abort and the gateway's version); default: the SDK subpath. */
  readonly harness?: () => Promise<HarnessRuntime>;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** How often the guard reports its status; default 10 s. */
  readonly statusMs?: number;
}

/** A registered guard, for tests: its table and channel, and a way to run its start/stop hooks' work. */
export interface GuardHandle {
  readonly table: VerdictTable;
  readonly channel: DaemonChannel;
  readonly timing: HookTiming;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const HARNESS_MODULE = 'openclaw/plugin-sdk/agent-harness-runtime';
/** Runs before other plugins' tool policies: a budget stop is terminal. */
const PRIORITY = 1000;

async function loadHarness(): Promise<HarnessRuntime> {
  // A variable specifier: the module exists only inside the gateway (OpenClaw resolves plugin-sdk imports for plugins).
  const specifier = HARNESS_MODULE;
  const mod = (await import(specifier)) as Partial<HarnessRuntime>;
  if (typeof mod.abortAgentHarnessRun !== 'function') throw new Error(`${HARNESS_MODULE} has no abortAgentHarnessRun`);
  return mod as HarnessRuntime;
}

/**
 * Registers the guard's hooks. `before_tool_call` and `before_agent_run` decide from the in-memory table only;
 * `model_call_started` and `before_message_write` keep the guard's own per-call counts; `llm_output` adds what an
 * attempt spent beyond its calls. The daemon channel opens on `gateway_start` (not at registration, which also runs
 * in CLI processes such as `openclaw plugins inspect`).
 */
export function registerGuard(api: GuardPluginApi, deps: GuardDeps = {}): GuardHandle | undefined {
  const settings = readSettings(api.pluginConfig);
  if (typeof settings === 'string') {
    api.logger.error(`clawwarden guard is not configured (${settings}); it enforces nothing. Run: clawwarden openclaw install-guard`);
    return undefined;
  }
  const now = deps.now ?? Date.now;
  const table = new VerdictTable({ failMode: settings.failMode });
  const timing = new HookTiming();
  let harness: HarnessRuntime | undefined;
  let gatewayVersion = 'unknown';
  let statusTimer: ReturnType<typeof setInterval> | undefined;
  const counts = { blocked: 0, refused: 0 };
  /** Runs already reported blocked (one event per run, however many tool calls it tries). */
  const reportedRuns = new Set<string>();
  let recordSeq = 0;

  const channel = new DaemonChannel({
    url: settings.url,
    token: settings.token,
    source: settings.source,
    version: GUARD_VERSION,
    gatewayVersion: () => gatewayVersion,
    reconnect: settings.reconnect,
    log: api.logger,
    onMessage: (message) => table.apply(message),
    onConnected: (up) => table.setConnected(up),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  const event = (kind: WireGuardEvent['kind'], subject: Subject, decision: Exclude<Decision, { allow: true }>): void => {
    channel.queueEvent({
      kind,
      key: subject.key,
      ...(subject.agent ? { agent: subject.agent } : {}),
      ...(subject.sessionId ? { generation: subject.sessionId } : {}),
      ...(subject.runId ? { runId: subject.runId } : {}),
      state: decision.state,
      ...(decision.policy ? { policy: decision.policy } : {}),
      reason: decision.message,
      at: now(),
    });
  };

  const forward = (key: string, agent: string | undefined, usage: WireUsage, at: number, kind: 'call' | 'remainder', runId?: string): void => {
    const generation = table.generation(key);
    if (!generation) return;
    const id = kind === 'call' ? `g:${generation}:${at}:${usage.input}:${usage.output}` : `g:remainder:${runId ?? ''}:${++recordSeq}`;
    channel.queueUsage({ key, agent: agent ?? /^agent:([^:]+):/.exec(key)?.[1] ?? 'unknown', generation, id, at, usage, kind, ...(runId ? { runId } : {}) });
  };

  api.on(
    'before_tool_call',
    (hookEvent, ctx) => {
      const started = performance.now();
      try {
        const key = ctx.sessionKey;
        if (!key) return undefined;
        const subject: Subject = { key, ...(ctx.agentId ? { agent: ctx.agentId } : {}), ...(ctx.sessionId ? { sessionId: ctx.sessionId } : {}), ...((ctx.runId ?? hookEvent.runId) ? { runId: (ctx.runId ?? hookEvent.runId)! } : {}) };
        const decision = table.toolCall(subject, now());
        if (decision.allow) return undefined;
        // A blocked tool only hands the model an error to answer; aborting the run is what keeps the next call from starting.
        if (ctx.sessionId && harness) {
          try {
            harness.abortAgentHarnessRun(ctx.sessionId);
          } catch (error) {
            api.logger.warn(`clawwarden guard: aborting the run of ${key} failed: ${(error as Error).message}`);
          }
        }
        counts.blocked++;
        const runKey = `${key}\u0000${subject.runId ?? ''}`;
        if (!reportedRuns.has(runKey)) {
          reportedRuns.add(runKey);
          if (reportedRuns.size > 10_000) reportedRuns.clear();
          event('blocked', subject, decision);
        }
        return { block: true, blockReason: decision.message };
      } catch (error) {
        api.logger.error(`clawwarden guard: before_tool_call failed: ${(error as Error).message}`);
        return table.failMode === 'closed' ? { block: true, blockReason: 'clawwarden guard failed and runs with failMode: closed' } : undefined;
      } finally {
        timing.add(performance.now() - started);
      }
    },
    { priority: PRIORITY },
  );

  api.on(
    'before_agent_run',
    (_hookEvent, ctx) => {
      const started = performance.now();
      try {
        const key = ctx.sessionKey;
        if (!key) return undefined;
        const subject: Subject = { key, ...(ctx.agentId ? { agent: ctx.agentId } : {}), ...(ctx.sessionId ? { sessionId: ctx.sessionId } : {}), ...(ctx.runId ? { runId: ctx.runId } : {}) };
        const decision = table.admit(subject);
        if (!decision.allow) {
          counts.refused++;
          event('refused', subject, decision);
          return { outcome: 'block', reason: `clawwarden guard: ${decision.state}${decision.policy ? ` (policy ${decision.policy})` : ''}`, message: decision.message, category: 'cost_limit' };
        }
        table.runStarted(subject, now());
        return undefined;
      } catch (error) {
        api.logger.error(`clawwarden guard: before_agent_run failed: ${(error as Error).message}`);
        return table.failMode === 'closed' ? { outcome: 'block', reason: 'clawwarden guard failed', message: 'clawwarden guard failed and runs with failMode: closed' } : undefined;
      } finally {
        timing.add(performance.now() - started);
      }
    },
    { priority: PRIORITY },
  );

  api.on('model_call_started', (hookEvent, ctx) => {
    const key = hookEvent.sessionKey ?? ctx.sessionKey;
    if (!key) return;
    const sessionId = hookEvent.sessionId ?? ctx.sessionId;
    table.runStarted({ key, ...(sessionId ? { sessionId } : {}), runId: hookEvent.runId }, now());
  });

  api.on('before_message_write', (hookEvent, ctx) => {
    const message = hookEvent.message as { role?: unknown; usage?: unknown; timestamp?: unknown } | null;
    if (!message || message.role !== 'assistant') return;
    const usage = usageFrom(message.usage);
    const key = ctx.sessionKey ?? hookEvent.sessionKey;
    if (!usage || !key || usage.input + usage.output + usage.cacheRead + usage.cacheWrite === 0) return;
    const at = typeof message.timestamp === 'number' && Number.isFinite(message.timestamp) ? message.timestamp : now();
    table.callCompleted(key, { ...usage, at });
    forward(key, ctx.agentId ?? hookEvent.agentId, usage, at, 'call');
  });

  api.on('llm_output', (hookEvent, ctx) => {
    const key = ctx.sessionKey;
    const total = usageFrom(hookEvent.usage);
    if (!key || !total) return;
    const seen = table.takeAttemptCalls(key, hookEvent.runId);
    const rest: WireUsage = {
      input: Math.max(0, total.input - seen.input),
      output: Math.max(0, total.output - seen.output),
      cacheRead: Math.max(0, total.cacheRead - seen.cacheRead),
      cacheWrite: Math.max(0, total.cacheWrite - seen.cacheWrite),
      cost: Math.max(0, total.cost - seen.cost),
    };
    // Model calls that wrote no transcript message (aborted mid-write, auxiliary calls inside an attempt).
    if (rest.input + rest.output + rest.cacheRead + rest.cacheWrite > 0) forward(key, ctx.agentId, rest, now(), 'remainder', hookEvent.runId);
  });

  api.on('session_end', (hookEvent, ctx) => {
    const key = hookEvent.sessionKey ?? ctx.sessionKey;
    if (key) table.sessionEnded(key);
  });

  const start = async (): Promise<void> => {
    try {
      harness = await (deps.harness ?? loadHarness)();
      gatewayVersion = harness.OPENCLAW_VERSION;
    } catch (error) {
      api.logger.warn(`clawwarden guard: cannot load OpenClaw's run control (${(error as Error).message}); blocked tool calls will not end their runs`);
    }
    const compatible = TESTED_GATEWAY.test(gatewayVersion);
    if (!compatible) api.logger.warn(`clawwarden guard ${GUARD_VERSION} was tested with OpenClaw 2026.9.x; this gateway is ${gatewayVersion}: hooks may behave differently`);
    channel.start();
    const sendStatus = (): void =>
      channel.setStatus({ gatewayVersion, compatible: compatible && harness !== undefined, hooks: timing.stats(), blocked: counts.blocked, refused: counts.refused, pending: channel.pending, dropped: channel.dropped });
    sendStatus();
    statusTimer = setInterval(sendStatus, deps.statusMs ?? 10_000);
    statusTimer.unref?.();
  };
  const stop = async (): Promise<void> => {
    if (statusTimer) clearInterval(statusTimer);
    await channel.stop();
  };
  api.on('gateway_start', () => {
    void start();
  });
  api.on('gateway_stop', () => stop());
  return { table, channel, timing, start, stop };
}
