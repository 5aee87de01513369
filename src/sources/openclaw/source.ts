import { CAPABILITIES } from './capabilities.js';
import type { OpenClawOptions } from './options.js';
import { reveal } from '../../domain/secret.js';
import type { Session, UsageBaseline } from '../../domain/session.js';
import type { ActionName, ActionRequest, ActionResult } from '../../domain/action.js';
import type { Source, SourceContext, SourceEvent } from '../source.js';
import { performAction } from './actions.js';
import { discoverGateway } from './discover.js';
import { OpenClawError, errorMessage } from './errors.js';
import { GatewayLink, type LinkEvent } from './link.js';
import { baselineFromUsage, recordFromMessage, sessionFromRow, type OpenClawRow, type OpenClawUsageEntry, type SessionMessagePayload } from './normalise.js';

/** Where OpenClaw's gateway listens by default. */
export const DEFAULT_URL = 'ws://127.0.0.1:18789';
export { CAPABILITIES } from './capabilities.js';
export type { OpenClawOptions } from './options.js';
const PAGE = 200;

interface ListReply {
  sessions?: OpenClawRow[];
  hasMore?: unknown;
  nextOffset?: unknown;
}
interface UsageReply {
  sessions?: OpenClawUsageEntry[];
  cacheStatus?: { status?: unknown; pendingFiles?: unknown } | null;
}
interface ChangedPayload {
  sessionKey?: unknown;
  reason?: unknown;
  phase?: unknown;
  session?: OpenClawRow | null;
}

/** A live connection to one OpenClaw gateway (protocol v4) as a clawwarden Source. */
export class OpenClawSource implements Source {
  readonly type = 'openclaw';
  readonly capabilities: ReadonlySet<ActionName> = new Set(CAPABILITIES);
  readonly name: string;
  readonly #options: OpenClawOptions;
  readonly #context: SourceContext;
  readonly #listeners = new Set<(event: SourceEvent) => void>();
  /** Last generation seen per key, to tell a reset (new sessionId) from an ordinary change. */
  readonly #generations = new Map<string, string>();
  #link: GatewayLink | undefined;
  #url: string;

  constructor(name: string, options: OpenClawOptions, context: SourceContext) {
    this.name = name;
    this.#options = options;
    this.#context = context;
    this.#url = options.url ?? DEFAULT_URL;
  }

  /** The gateway URL in use (after discovery). */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<void> {
    if (this.#link) return;
    let token = reveal(this.#options.token);
    if (this.#options.discover) {
      const found = await discoverGateway();
      if (this.#options.url === undefined) this.#url = found.url;
      token ??= found.token?.reveal();
    }
    const link = new GatewayLink({
      url: this.#url,
      token,
      requestTimeoutMs: this.#options.requestTimeoutMs ?? 30_000,
      reconnect: { minMs: this.#options.reconnect?.minMs ?? 500, maxMs: this.#options.reconnect?.maxMs ?? 30_000 },
      onEvent: (event) => this.#onEvent(event),
      onUp: () => this.#emit({ type: 'up', source: this.name }),
      onDown: (error) => this.#emit({ type: 'down', source: this.name, error: error.message }),
      log: this.#context.log,
    });
    this.#link = link;
    try {
      await link.start();
    } catch (error) {
      this.#link = undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    const link = this.#link;
    this.#link = undefined;
    await link?.close();
  }

  isUp(): boolean {
    return this.#link?.isUp() ?? false;
  }

  subscribe(listener: (event: SourceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async inventory(): Promise<Session[]> {
    const byKey = new Map<string, Session>();
    let offset = 0;
    // Every page must succeed: a failed page rejects the whole inventory rather than returning part of it.
    for (let page = 0; page < 10_000; page++) {
      const reply = await this.#request<ListReply>('sessions.list', { limit: PAGE, offset, archived: 'all' });
      const rows = Array.isArray(reply.sessions) ? reply.sessions : [];
      for (const row of rows) {
        const session = sessionFromRow(this.name, row);
        if (session) byKey.set(session.key, session);
      }
      const next = typeof reply.nextOffset === 'number' ? reply.nextOffset : offset + rows.length;
      if (reply.hasMore !== true || rows.length === 0 || next <= offset) break;
      offset = next;
    }
    for (const s of byKey.values()) this.#generations.set(s.key, s.generation);
    return [...byKey.values()];
  }

  async usage(keys?: readonly string[]): Promise<UsageBaseline[]> {
    const wanted = keys === undefined ? undefined : new Set(keys);
    const params = keys?.length === 1 ? { key: keys[0], range: 'all' } : { agentScope: 'all', range: 'all' };
    const deadline = this.#context.now() + (this.#options.usageWaitMs ?? 3_000);
    for (;;) {
      let reply: UsageReply;
      try {
        reply = await this.#request<UsageReply>('sessions.usage', params);
      } catch (error) {
        // Asking about one key the gateway does not know is "no usage", not a failure.
        if (keys?.length === 1 && error instanceof OpenClawError && error.fromGateway) return [];
        throw error;
      }
      const entries = (Array.isArray(reply.sessions) ? reply.sessions : []).filter((e) => wanted === undefined || (typeof e.key === 'string' && wanted.has(e.key)));
      // OpenClaw fills its usage cache lazily: `usage: null` while it is not `fresh` means "ask again shortly", not zero.
      const cache = reply.cacheStatus;
      const fresh = cache ? cache.status === 'fresh' && !(typeof cache.pendingFiles === 'number' && cache.pendingFiles > 0) : !entries.some((e) => e.usage === null);
      if (fresh || this.#context.now() >= deadline) {
        return entries.flatMap((e) => {
          // A fresh cache with no usage for a session: it has made no model call yet.
          const entry = fresh && e.usage === null ? { ...e, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalCost: 0 } } : e;
          const b = baselineFromUsage(this.name, entry);
          return b ? [b] : [];
        });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async perform(request: ActionRequest): Promise<ActionResult> {
    if (!this.capabilities.has(request.action)) return { status: 'refused', detail: `openclaw cannot ${request.action}` };
    try {
      const result = await performAction({ request: (m, p) => this.#request(m, p), source: this.name, now: this.#context.now }, request);
      // Do not rely on the gateway's change event alone to tell subscribers the session is gone.
      if (result.status === 'done' && request.action === 'cleanup' && request.cleanup === 'delete') {
        this.#generations.delete(request.key);
        this.#emit({ type: 'removed', source: this.name, key: request.key });
      }
      return result;
    } catch (error) {
      return { status: 'failed', detail: errorMessage(error) };
    }
  }

  /** Any gateway RPC through this source's connection (the CLI and tests use it for what the Source interface lacks). */
  request<T>(method: string, params: object): Promise<T> {
    return this.#request<T>(method, params);
  }

  #request<T>(method: string, params: object): Promise<T> {
    if (!this.#link) return Promise.reject(new OpenClawError('NOT_STARTED', `source ${this.name} is not started`));
    return this.#link.request<T>(method, params);
  }

  #emit(event: SourceEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#context.log.warn({ source: this.name, err: errorMessage(error) }, 'source listener threw');
      }
    }
  }

  #onEvent({ event, payload }: LinkEvent): void {
    if (event === 'session.message') {
      const message = payload as SessionMessagePayload;
      const record = recordFromMessage(this.name, message, this.#context.now());
      if (record) {
        const session = message.session ? sessionFromRow(this.name, message.session) : undefined;
        this.#emit({ type: 'usage', record, ...(session && { session }) });
      }
      return;
    }
    if (event === 'sessions.changed') {
      const changed = payload as ChangedPayload;
      const key = typeof changed.sessionKey === 'string' ? changed.sessionKey : undefined;
      const reason = typeof changed.reason === 'string' ? changed.reason : typeof changed.phase === 'string' ? changed.phase : 'changed';
      if (key && (reason === 'delete' || reason === 'deleted')) {
        this.#generations.delete(key);
        this.#emit({ type: 'removed', source: this.name, key });
        return;
      }
      const session = changed.session ? sessionFromRow(this.name, changed.session) : undefined;
      if (!session) return;
      const previous = this.#generations.get(session.key);
      this.#generations.set(session.key, session.generation);
      this.#emit({ type: 'session', session, reason: previous !== undefined && previous !== session.generation ? `new-generation:${reason}` : reason });
    }
  }
}
