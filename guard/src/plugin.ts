import { readSettings } from './config.js';
import type { WireUsage } from './protocol.js';
import { sharedRuntime, type GuardDeps, type GuardRuntime } from './runtime.js';
import type { GuardPluginApi } from './sdk.js';
import type { Subject } from './table.js';
import { usageFrom } from './usage.js';

export type { GuardDeps } from './runtime.js';

/** Runs before other plugins' tool policies: a budget stop is terminal. */
const PRIORITY = 1000;

/**
 * Registers the guard's hooks on the process's shared runtime. `before_tool_call` and `before_agent_run` decide from
 * the in-memory table only; `model_call_started` and `before_message_write` keep the guard's own per-call counts;
 * `llm_output` adds what an attempt spent beyond its calls. The daemon channel opens on `gateway_start` (not at
 * registration, which also runs in CLI processes such as `openclaw plugins inspect`).
 */
export function registerGuard(api: GuardPluginApi, deps: GuardDeps = {}): GuardRuntime | undefined {
  const settings = readSettings(api.pluginConfig);
  if (typeof settings === 'string') {
    api.logger.error(`clawwarden guard is not configured (${settings}); it enforces nothing. Run: clawwarden openclaw install-guard`);
    return undefined;
  }
  const runtime = sharedRuntime(settings, deps, api.logger);
  const { table, timing } = runtime;

  api.on(
    'before_tool_call',
    (hookEvent, ctx) => {
      const started = performance.now();
      try {
        const key = ctx.sessionKey;
        if (!key) return undefined;
        const runId = ctx.runId ?? hookEvent.runId;
        const subject: Subject = { key, ...(ctx.agentId ? { agent: ctx.agentId } : {}), ...(ctx.sessionId ? { sessionId: ctx.sessionId } : {}), ...(runId ? { runId } : {}) };
        const decision = table.toolCall(subject, runtime.now());
        timing.add(performance.now() - started);
        if (decision.allow) return undefined;
        // A blocked tool only hands the model an error to answer; aborting the run is what keeps the next call from starting.
        runtime.abort(ctx.sessionId, key);
        runtime.report('blocked', subject, decision);
        return { block: true, blockReason: decision.message };
      } catch (error) {
        api.logger.error(`clawwarden guard: before_tool_call failed: ${(error as Error).message}`);
        return table.failMode === 'closed' ? { block: true, blockReason: 'clawwarden guard failed and runs with failMode: closed' } : undefined;
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
        timing.add(performance.now() - started);
        if (!decision.allow) {
          runtime.report('refused', subject, decision);
          return { outcome: 'block', reason: `clawwarden guard: ${decision.state}${decision.policy ? ` (policy ${decision.policy})` : ''}`, message: decision.message, category: 'cost_limit' };
        }
        table.runStarted(subject, runtime.now());
        return undefined;
      } catch (error) {
        api.logger.error(`clawwarden guard: before_agent_run failed: ${(error as Error).message}`);
        return table.failMode === 'closed' ? { outcome: 'block', reason: 'clawwarden guard failed', message: 'clawwarden guard failed and runs with failMode: closed' } : undefined;
      }
    },
    { priority: PRIORITY },
  );

  api.on('model_call_started', (hookEvent, ctx) => {
    const key = hookEvent.sessionKey ?? ctx.sessionKey;
    if (!key) return;
    const sessionId = hookEvent.sessionId ?? ctx.sessionId;
    table.runStarted({ key, ...(sessionId ? { sessionId } : {}), runId: hookEvent.runId }, runtime.now());
  });

  api.on('before_message_write', (hookEvent, ctx) => {
    const message = hookEvent.message as { role?: unknown; usage?: unknown; timestamp?: unknown } | null;
    if (!message || message.role !== 'assistant') return;
    const usage = usageFrom(message.usage);
    const key = ctx.sessionKey ?? hookEvent.sessionKey;
    if (!usage || !key || usage.input + usage.output + usage.cacheRead + usage.cacheWrite === 0) return;
    const at = typeof message.timestamp === 'number' && Number.isFinite(message.timestamp) ? message.timestamp : runtime.now();
    table.callCompleted(key, { ...usage, at });
    runtime.forward(key, ctx.agentId ?? hookEvent.agentId, usage, at, 'call');
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
    if (rest.input + rest.output + rest.cacheRead + rest.cacheWrite > 0) runtime.forward(key, ctx.agentId, rest, runtime.now(), 'remainder', hookEvent.runId);
  });

  api.on('session_end', (hookEvent, ctx) => {
    const key = hookEvent.sessionKey ?? ctx.sessionKey;
    if (key) table.sessionEnded(key);
  });

  api.on('gateway_start', () => {
    void runtime.start();
  });
  api.on('gateway_stop', () => runtime.stop());
  return runtime;
}
