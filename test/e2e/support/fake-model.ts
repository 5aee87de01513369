import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake model answers; picked by a `MODE:<name>` marker in the latest user message. */
export type FakeMode = 'quick' | 'slow' | 'loop' | SpawnMode;

/** Tunables; every field has a default so `startFakeModel()` works as is. */
export interface FakeModelOptions {
  /** Model id served by `GET /v1/models`. */
  readonly modelId?: string;
  /** Delay before a quick or loop answer streams, ms. */
  readonly quickDelayMs?: number;
  /** How long a `MODE:slow` answer takes, ms. */
  readonly slowDelayMs?: number;
  /** Completion tokens reported per answer. */
  readonly completionTokens?: number;
  /** Tool to call in loop mode when the request offers it (else the first offered tool). */
  readonly loopTool?: string;
}

/** One served (or cut) completion, for tests to compare against what the gateway reports. */
export interface ServedCall {
  readonly marker: string;
  readonly mode: FakeMode;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** The client closed the stream before the usage chunk was sent (OpenClaw aborted the run). */
  readonly closedEarly: boolean;
  readonly at: number;
  /** Set when the call was answered with an injected failure (`FAIL:<kind>:<n>`); HTTP errors bill nothing. */
  readonly failure?: FailKind;
}

/** A running fake OpenAI-compatible model server on 127.0.0.1. */
export interface FakeModel {
  /** `http://127.0.0.1:<port>/v1`, what the gateway config's `baseUrl` takes. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every completion so far, in arrival order. */
  calls(marker?: string): readonly ServedCall[];
  /** Total tokens whose usage chunk was actually delivered for a marker (what OpenClaw can have counted). */
  served(marker: string): { input: number; output: number; calls: number };
  /** Resolves when `n` calls for `marker` have arrived (or rejects after `timeoutMs`). */
  waitForCalls(marker: string, n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface ChatMessage {
  role?: string;
  content?: unknown;
}
interface ChatRequest {
  messages?: ChatMessage[];
  tools?: { function?: { name?: string } }[];
  stream?: boolean;
}

const MARKER = /\b(?:MARK|ID):([A-Za-z0-9_.-]+)/;
const MODE = /\bMODE:(quick|slow|loop)\b/;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: unknown } | null) => (typeof part?.text === 'string' ? part.text : '')).join(' ');
  return '';
}

/** Rough token count: OpenClaw only needs a plausible, deterministic number. */
function estimateTokens(body: string): number {
  return Math.max(1, Math.ceil(body.length / 4));
}

function firstUserMarker(messages: readonly ChatMessage[]): { mode: FakeMode; marker: string } {
  // The first user message names the session's job; later ones (tool results, follow-ups) may carry their own.
  const users = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content));
  const last = [...users].reverse().find((t) => MODE.test(t)) ?? users[users.length - 1] ?? '';
  const mode = (MODE.exec(last)?.[1] as FakeMode | undefined) ?? 'quick';
  const marker = MARKER.exec(last)?.[1] ?? mode;
  return { mode, marker };
}

/** Starts the fake model on 127.0.0.1 (port 0 = OS-chosen). */
export async function startFakeModel(options: FakeModelOptions = {}, port = 0): Promise<FakeModel> {
  const modelId = options.modelId ?? 'fake-1';
  const quickDelayMs = options.quickDelayMs ?? 50;
  const slowDelayMs = options.slowDelayMs ?? 4_000;
  const completionTokens = options.completionTokens ?? 12;
  const loopTool = options.loopTool ?? 'read';
  const calls: ServedCall[] = [];
  const waiters = new Set<() => void>();
  let responseSeq = 0;
  const failures = failureInjector({ modelId, quickDelayMs, loopTool });

  const record = (call: ServedCall): void => {
    calls.push(call);
    for (const wake of [...waiters]) wake();
  };

  const handleCompletion = async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> => {
    let body: ChatRequest;
    try {
      body = JSON.parse(raw) as ChatRequest;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad json' } }));
      return;
    }
    const messages = body.messages ?? [];
    let { mode, marker } = firstUserMarker(messages);
    const promptTokens = estimateTokens(raw);
    if (await failures.answer(messages, marker, mode, promptTokens, body, res, record)) return;
    const id = `chatcmpl-fake-${++responseSeq}`;
    const created = Math.floor(Date.now() / 1000);
    let closed = false;
    const isClosed = (): boolean => closed; // set by the 'close' listener while this handler awaits
    res.on('close', () => {
      closed = true;
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (chunk: object): void => {
      if (!closed) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: modelId, ...chunk })}\n\n`);
    };
    const delay = mode === 'slow' ? slowDelayMs : quickDelayMs;
    const step = 50;
    for (let waited = 0; waited < delay && !isClosed(); waited += step) await new Promise((r) => setTimeout(r, Math.min(step, delay - waited)));
    if (isClosed()) {
      record({ marker, mode, promptTokens, completionTokens: 0, closedEarly: true, at: Date.now() });
      return;
    }
    const offered = (body.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string');
    const tool = offered.includes(loopTool) ? loopTool : offered[0];
    const spawning = spawnAnswer(messages, offered);
    if (spawning) {
      spawning.chunks.forEach(send);
      mode = 'spawn';
      marker = spawning.marker;
    } else if (mode === 'loop' && tool) {
      send({
        choices: [
          {
            index: 0,
            delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: `call_${responseSeq}`, type: 'function', function: { name: tool, arguments: '' } }] },
            finish_reason: null,
          },
        ],
      });
      send({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: JSON.stringify({ path: 'AGENTS.md' }) } }] }, finish_reason: null }] });
      send({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
    } else {
      const text = mode === 'loop' ? 'no tools offered; loop mode cannot loop' : `fake answer (${mode}) ${marker}`;
      send({ choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }] });
      send({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    }
    send({ choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } });
    const delivered = !isClosed();
    if (!isClosed()) res.end('data: [DONE]\n\n');
    record({ marker, mode, promptTokens, completionTokens: delivered ? completionTokens : 0, closedEarly: !delivered, at: Date.now() });
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: modelId, object: 'model', created: 0, owned_by: 'clawwarden-tests' }] }));
      return;
    }
    if (req.method === 'POST' && url.endsWith('/chat/completions')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void handleCompletion(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => res.destroy());
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  const model: FakeModel = {
    baseUrl: `http://127.0.0.1:${actualPort}/v1`,
    port: actualPort,
    calls: (marker) => (marker === undefined ? [...calls] : calls.filter((c) => c.marker === marker)),
    served: (marker) => {
      const mine = calls.filter((c) => c.marker === marker && billed(c));
      return { input: mine.reduce((s, c) => s + c.promptTokens, 0), output: mine.reduce((s, c) => s + c.completionTokens, 0), calls: mine.length };
    },
    waitForCalls: (marker, n, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (calls.filter((c) => c.marker === marker).length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake model: ${calls.filter((c) => c.marker === marker).length}/${n} calls for ${marker} after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return model;
}

// ---- Injected failures (retry storms) -------------------------------------------------------------------------------
// `FAIL:<kind>:<n>` in a user message makes the first <n> completions of that message's marker fail:
//   429        HTTP 429 with an OpenAI-style rate-limit error body (no usage: bills nothing)
//   500        HTTP 500 with an OpenAI-style server error body (no usage: bills nothing)
//   malformed  HTTP 200, a complete stream whose tool call has unparsable JSON arguments, with usage (billed)
// After <n> failures the marker's calls are answered by its MODE as usual.

/** What an injected failure looks like on the wire. */
export type FailKind = '429' | '500' | 'malformed';

const FAIL = /\bFAIL:(429|500|malformed):(\d+)\b/;

/** True when the provider would have billed the call: its usage chunk was delivered and it was no HTTP error. */
export function billed(call: ServedCall): boolean {
  return !call.closedEarly && call.failure !== '429' && call.failure !== '500';
}

function failureInjector(options: { modelId: string; quickDelayMs: number; loopTool: string }) {
  const failed = new Map<string, number>();
  let seq = 0;
  return {
    /** Answers with a failure when the marker still has some to serve; false when the call should be answered normally. */
    async answer(messages: readonly ChatMessage[], marker: string, mode: FakeMode, promptTokens: number, body: ChatRequest, res: ServerResponse, record: (call: ServedCall) => void): Promise<boolean> {
      const text = messages
        .filter((m) => m.role === 'user')
        .map((m) => textOf(m.content))
        .reverse()
        .find((t) => FAIL.test(t));
      const spec = text === undefined ? undefined : FAIL.exec(text);
      if (!spec) return false;
      const kind = spec[1] as FailKind;
      const budget = Number(spec[2]);
      const done = failed.get(marker) ?? 0;
      if (done >= budget) return false;
      failed.set(marker, done + 1);
      await new Promise((r) => setTimeout(r, options.quickDelayMs));
      if (kind === '429' || kind === '500') {
        const error =
          kind === '429'
            ? { message: 'Rate limit reached for requests', type: 'rate_limit_error', code: 'rate_limit_exceeded' }
            : { message: 'The server had an error while processing your request.', type: 'server_error', code: null };
        res.writeHead(Number(kind), { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
        record({ marker, mode, promptTokens, completionTokens: 0, closedEarly: false, at: Date.now(), failure: kind });
        return true;
      }
      const id = `chatcmpl-fail-${++seq}`;
      const created = Math.floor(Date.now() / 1000);
      // The malformed answer is written in one go (no await between its chunks), so a client cannot close part-way.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const send = (chunk: object): void => {
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: options.modelId, ...chunk })}\n\n`);
      };
      const offered = (body.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string');
      const tool = offered.includes(options.loopTool) ? options.loopTool : (offered[0] ?? options.loopTool);
      const completionTokens = 12;
      send({
        choices: [
          { index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: `call_fail_${seq}`, type: 'function', function: { name: tool, arguments: '' } }] }, finish_reason: null },
        ],
      });
      send({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"path": "AGENTS.md", ' } }] }, finish_reason: null }] });
      send({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
      send({ choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } });
      res.end('data: [DONE]\n\n');
      record({ marker, mode, promptTokens, completionTokens, closedEarly: false, at: Date.now(), failure: kind });
      return true;
    },
  };
}
// ---- end of injected failures ---------------------------------------------------------------------------------------

// ---- Sub-agent fan-out (MODE:spawn) -------------------------------------------------------------------------------
// `MODE:spawn CHILD:<mode> [CHILDREN:<n>]` in a session's user message: each model call of that run answers with a
// call to OpenClaw's `sessions_spawn` tool until it has spawned n children (default 1), then with text. Child i gets
// the task `MODE:<mode> ID:<marker>.kid<i>`, so a test counts the children's calls by that marker (or its prefix).
// OpenClaw offers `sessions_spawn` only with the coding (or a wider) tool profile and Tool Search off.

export type SpawnMode = 'spawn';
/** The tool a spawning parent calls. */
export const SPAWN_TOOL = 'sessions_spawn';
const SPAWN = /\bMODE:spawn\b/;
const CHILD = /\bCHILD:(quick|slow|loop)\b/;
const CHILDREN = /\bCHILDREN:(\d+)\b/;

/** The marker a spawning parent gives its child `i` (1-based). */
export function childMarker(parent: string, i: number): string {
  return `${parent}.kid${i}`;
}

/** The SSE chunks of a spawning parent's answer and its marker, or undefined when the request is not a spawning parent's. */
function spawnAnswer(messages: readonly ChatMessage[], offered: readonly string[]): { chunks: object[]; marker: string } | undefined {
  const users = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content));
  // The message that asked for the spawn (OpenClaw may add user messages of its own after it).
  const own = [...users].reverse().find((t) => SPAWN.test(t));
  if (own === undefined) return undefined;
  const marker = MARKER.exec(own)?.[1] ?? 'spawn';
  const want = Number(CHILDREN.exec(own)?.[1] ?? '1');
  const childMode = CHILD.exec(own)?.[1] ?? 'quick';
  // Spawns already made in this transcript: assistant tool calls of the spawn tool.
  const made = messages
    .filter((m) => m.role === 'assistant')
    .reduce((n, m) => n + ((m as { tool_calls?: { function?: { name?: string } }[] }).tool_calls ?? []).filter((c) => c.function?.name === SPAWN_TOOL).length, 0);
  if (made >= want || !offered.includes(SPAWN_TOOL)) {
    const text = offered.includes(SPAWN_TOOL) ? `spawned ${made} sub-agents (${marker})` : `no ${SPAWN_TOOL} tool offered; cannot spawn`;
    return { marker, chunks: [{ choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }] }, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }] };
  }
  const args = { task: `MODE:${childMode} ID:${childMarker(marker, made + 1)}`, context: 'isolated', mode: 'run' };
  return {
    marker,
    chunks: [
      {
        choices: [
          {
            index: 0,
            delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: `call_spawn_${marker}_${made + 1}`, type: 'function', function: { name: SPAWN_TOOL, arguments: '' } }] },
            finish_reason: null,
          },
        ],
      },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: JSON.stringify(args) } }] }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ],
  };
}
// ---- end of sub-agent fan-out ---------------------------------------------------------------------------------------
