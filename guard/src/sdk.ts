// The part of OpenClaw's plugin SDK (openclaw/plugin-sdk, 2026.9.6) the guard uses, written out so the guard builds
// without the 650 MB openclaw package. test/guard/sdk-types.test.ts compiles these against the real SDK's types:
// OpenClaw's `OpenClawPluginApi` must be assignable to `GuardPluginApi`, and the entry to `OpenClawPluginDefinition`.

/** `api.logger`. */
export interface GuardLogger {
  info: (message: string) => void;
  warn: (message: string) => void;
  error: (message: string) => void;
}

/** `before_tool_call` context (PluginHookToolContext): ids are optional on some paths. */
export interface ToolContext {
  agentId?: string;
  sessionKey?: string;
  sessionId?: string;
  runId?: string;
  toolName: string;
}

/** PluginHookBeforeToolCallEvent. */
export interface BeforeToolCallEvent {
  toolName: string;
  params: Record<string, unknown>;
  runId?: string;
  toolCallId?: string;
}

/** PluginHookBeforeToolCallResult (the fields the guard returns). */
export interface BeforeToolCallResult {
  block?: boolean;
  blockReason?: string;
}

/** PluginHookAgentContext. */
export interface AgentContext {
  runId?: string;
  agentId?: string;
  sessionKey?: string;
  sessionId?: string;
  trigger?: string;
}

/** PluginHookBeforeAgentRunEvent. */
export interface BeforeAgentRunEvent {
  prompt: string;
  messages: unknown[];
}

/** PluginHookBeforeAgentRunResult: pass, block with an internal reason and the user-facing message, or nothing (= pass). */
export type BeforeAgentRunResult = { outcome: 'pass' } | { outcome: 'block'; reason: string; message?: string; category?: string } | undefined;

/** PluginHookModelCallStartedEvent. */
export interface ModelCallStartedEvent {
  runId: string;
  callId: string;
  sessionKey?: string;
  sessionId?: string;
  provider: string;
  model: string;
}

/** PluginHookLlmOutputEvent: one attempt's output and its summed usage (OpenClaw adds `cost.total` at run time). */
export interface LlmOutputEvent {
  runId: string;
  sessionId: string;
  provider: string;
  model: string;
  usage?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number; total?: number };
}

/** PluginHookBeforeMessageWriteEvent: `message` is OpenClaw's AgentMessage; assistant ones carry `usage` and `timestamp`. */
export interface BeforeMessageWriteEvent {
  message: unknown;
  sessionKey?: string;
  agentId?: string;
}

/** PluginHookSessionEndEvent. */
export interface SessionEndEvent {
  sessionId: string;
  sessionKey?: string;
  reason?: string;
}

/** PluginHookSessionContext. */
export interface SessionContext {
  agentId?: string;
  sessionId: string;
  sessionKey?: string;
}

/** The guard's handler type for each hook it registers (each checked against OpenClaw's PluginHookHandlerMap). */
export interface GuardHandlers {
  before_tool_call: (event: BeforeToolCallEvent, ctx: ToolContext) => BeforeToolCallResult | undefined;
  before_agent_run: (event: BeforeAgentRunEvent, ctx: AgentContext) => BeforeAgentRunResult;
  model_call_started: (event: ModelCallStartedEvent, ctx: AgentContext) => void;
  llm_output: (event: LlmOutputEvent, ctx: AgentContext) => void;
  before_message_write: (event: BeforeMessageWriteEvent, ctx: { agentId?: string; sessionKey?: string }) => void;
  session_end: (event: SessionEndEvent, ctx: SessionContext) => void;
  gateway_start: (event: { port: number }, ctx: object) => void;
  gateway_stop: (event: { reason?: string }, ctx: object) => Promise<void> | void;
}

/** `api.on` for the hooks the guard registers. */
export interface GuardHookRegistrar {
  (hookName: 'before_tool_call', handler: GuardHandlers['before_tool_call'], opts?: { priority?: number }): void;
  (hookName: 'before_agent_run', handler: GuardHandlers['before_agent_run'], opts?: { priority?: number }): void;
  (hookName: 'model_call_started', handler: GuardHandlers['model_call_started'], opts?: { priority?: number }): void;
  (hookName: 'llm_output', handler: GuardHandlers['llm_output'], opts?: { priority?: number }): void;
  (hookName: 'before_message_write', handler: GuardHandlers['before_message_write'], opts?: { priority?: number }): void;
  (hookName: 'session_end', handler: GuardHandlers['session_end'], opts?: { priority?: number }): void;
  (hookName: 'gateway_start', handler: GuardHandlers['gateway_start'], opts?: { priority?: number }): void;
  (hookName: 'gateway_stop', handler: GuardHandlers['gateway_stop'], opts?: { priority?: number }): void;
}

/** The slice of OpenClawPluginApi the guard uses. */
export interface GuardPluginApi {
  pluginConfig?: Record<string, unknown>;
  logger: GuardLogger;
  on: GuardHookRegistrar;
}

/** What the guard needs from `openclaw/plugin-sdk/agent-harness-runtime` (loaded in the gateway only). */
export interface HarnessRuntime {
  /** Aborts the embedded run of a session at once (true when one was running). */
  abortAgentHarnessRun(sessionId: string): boolean;
  OPENCLAW_VERSION: string;
}
