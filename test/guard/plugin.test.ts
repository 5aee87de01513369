import { afterEach, describe, expect, it } from 'vitest';
import entry from '../../guard/src/index.js';
import { registerGuard } from '../../guard/src/plugin.js';
import type { GuardRuntime } from '../../guard/src/runtime.js';
import type { GuardHandlers, GuardPluginApi } from '../../guard/src/sdk.js';

const KEY = 'agent:main:loop';
const CONFIG = { url: 'http://127.0.0.1:1', token: 'guard-token-0123456789abcdef', source: 'gw' };

/** A stand-in for OpenClaw's plugin API: records what the guard registers and logs. */
function fakeApi(pluginConfig: Record<string, unknown> = CONFIG) {
  const handlers: Partial<GuardHandlers> = {};
  const logs: string[] = [];
  const api: GuardPluginApi = {
    pluginConfig,
    logger: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
    on: ((name: keyof GuardHandlers, handler: never) => {
      (handlers as Record<string, unknown>)[name] = handler;
    }) as GuardPluginApi['on'],
  };
  return { api, handlers, logs };
}

describe('the guard plugin', () => {
  const handles: GuardRuntime[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.stop();
  });

  async function guard() {
    const { api, handlers, logs } = fakeApi();
    const aborted: string[] = [];
    const handle = registerGuard(api, {
      harness: async () => ({ abortAgentHarnessRun: (id) => (aborted.push(id), true), OPENCLAW_VERSION: '2026.9.6' }),
      fetch: async () => {
        throw new Error('offline');
      },
      now: () => 1_000,
      store: {},
    })!;
    handles.push(handle);
    await handle.start();
    handle.table.setConnected(true);
    return { handle, handlers: handlers as GuardHandlers, aborted, logs };
  }

  it('registers every hook it needs, and the entry registers through it', () => {
    const { api, handlers } = fakeApi();
    entry.register(api);
    const runtime = registerGuard(fakeApi().api);
    // Every registration in a process shares one runtime (OpenClaw registers a plugin more than once per process).
    expect(registerGuard(fakeApi().api)).toBe(runtime);
    expect(Object.keys(handlers).sort()).toEqual(['before_agent_run', 'before_message_write', 'before_tool_call', 'gateway_start', 'gateway_stop', 'llm_output', 'model_call_started', 'session_end']);
    expect(entry.id).toBe('clawwarden-guard');
  });

  it('enforces nothing and says why when it is not configured', () => {
    const { api, handlers, logs } = fakeApi({});
    expect(registerGuard(api)).toBeUndefined();
    expect(handlers).toEqual({});
    expect(logs.join('\n')).toMatch(/error clawwarden guard is not configured .*"url".*clawwarden openclaw install-guard/);
  });

  it('blocks the tool call of a paused session and aborts its run at once; refuses new runs with a message', async () => {
    const { handle, handlers, aborted } = await guard();
    handle.table.apply({ type: 'verdict', verdict: { key: KEY, state: 'paused', since: 1, reason: 'cost $26.10 > $25.00 (policy daily)', caps: [] } });
    const result = handlers.before_tool_call({ toolName: 'read', params: {} }, { toolName: 'read', sessionKey: KEY, sessionId: 's1', runId: 'r1', agentId: 'main' });
    expect(result).toMatchObject({ block: true, blockReason: expect.stringMatching(/paused session agent:main:loop \(cost \$26\.10 > \$25\.00 \(policy daily\)\)/) as string });
    expect(aborted).toEqual(['s1']);
    const refused = handlers.before_agent_run({ prompt: 'hi', messages: [] }, { sessionKey: KEY, sessionId: 's1', runId: 'r2' });
    expect(refused).toMatchObject({ outcome: 'block', message: expect.stringMatching(/No model call was made. Resume it with: clawwarden sessions resume agent:main:loop/) as string });
    expect(handle.channel.pending).toBe(0);
  });

  it('counts calls from the assistant messages, forwards them with the session generation, and the remainder of llm_output', async () => {
    const { handle, handlers } = await guard();
    handlers.model_call_started({ runId: 'r1', callId: 'r1:1', sessionKey: KEY, sessionId: 's1', provider: 'p', model: 'm' }, {});
    handlers.before_message_write({ message: { role: 'user', content: 'x' } }, { sessionKey: KEY });
    handlers.before_message_write(
      { message: { role: 'assistant', timestamp: 500, usage: { input: 15_000, output: 12, cacheRead: 0, cacheWrite: 0, cost: { total: 0.045 } } } },
      { sessionKey: KEY, agentId: 'main' },
    );
    expect(handle.table.generation(KEY)).toBe('s1');
    expect(handle.channel.pending).toBe(1);
    // The attempt spent 20,000 + 20 in all: 5,000 + 8 more than its one written call.
    handlers.llm_output({ runId: 'r1', sessionId: 's1', provider: 'p', model: 'm', usage: { input: 20_000, output: 20, total: 20_020 } }, { sessionKey: KEY, agentId: 'main' });
    expect(handle.channel.pending).toBe(2);
  });

  it('ends a run at the tool call after the call that crossed a cap pushed by the daemon', async () => {
    const { handle, handlers, aborted } = await guard();
    handle.table.apply({
      type: 'verdict',
      verdict: { key: KEY, generation: 's1', state: 'allowed', since: 1, caps: [{ policy: 'cap', metric: 'tokens.total', limit: 40_000, inclusive: false, hard: false, action: 'stop' }] },
    });
    handlers.before_agent_run({ prompt: 'go', messages: [] }, { sessionKey: KEY, sessionId: 's1', runId: 'r1' });
    for (const [i, tokens] of [15_488, 17_148, 18_808].entries()) {
      handlers.model_call_started({ runId: 'r1', callId: `r1:${i}`, sessionKey: KEY, sessionId: 's1', provider: 'p', model: 'm' }, {});
      handlers.before_message_write({ message: { role: 'assistant', timestamp: 600 + i, usage: { input: tokens, output: 12 } } }, { sessionKey: KEY });
      const result = handlers.before_tool_call({ toolName: 'read', params: {} }, { toolName: 'read', sessionKey: KEY, sessionId: 's1', runId: 'r1' });
      expect(result === undefined).toBe(i < 2);
    }
    expect(aborted).toEqual(['s1']);
    expect(handle.timing.stats().calls).toBe(4);
  });
});
