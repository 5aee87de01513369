import { GUARD_HEADERS, GUARD_PATHS, GUARD_PROTOCOL, type DaemonMessage, type GuardReport, type WireGuardEvent, type WireGuardStatus, type WireUsageRecord } from './protocol.js';

/** Where a channel logs (OpenClaw's plugin logger fits). */
export interface ChannelLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface ChannelOptions {
  /** The daemon's guard listener, e.g. `http://127.0.0.1:9465`. */
  readonly url: string;
  readonly token: string;
  readonly source: string;
  readonly version: string;
  readonly gatewayVersion: () => string;
  readonly reconnect: { readonly minMs: number; readonly maxMs: number };
  readonly onMessage: (message: DaemonMessage) => void;
  /** The verdict stream opened (true) or was lost (false, with why). */
  readonly onConnected: (up: boolean, detail?: string) => void;
  readonly log: ChannelLog;
  /** Injectable for tests; default the global fetch (Node ≥ 18, the gateway runs on 24). */
  readonly fetch?: typeof fetch;
  /** Reconnect when the daemon sent nothing (not even a ping) for this long; default 45 s. */
  readonly idleMs?: number;
  /** Reports are batched for this long; default 100 ms. */
  readonly flushMs?: number;
  readonly random?: () => number;
}

/** Usage records kept while the daemon is away; past this the oldest are dropped (and counted). */
const MAX_USAGE = 20_000;
const MAX_EVENTS = 1_000;
const BATCH = 500;

/**
 * The guard's side of the channel: keeps a `text/event-stream` of verdicts open to the daemon (reconnecting with
 * jittered exponential backoff), and delivers usage, events and status in batched POSTs that are retried until the
 * daemon takes them. Nothing here is on a hook's path: hooks only enqueue.
 */
export class DaemonChannel {
  readonly #options: ChannelOptions;
  readonly #fetch: typeof fetch;
  #stopped = false;
  #controller: AbortController | undefined;
  #attempt = 0;
  #wake: (() => void) | undefined;
  #usage: WireUsageRecord[] = [];
  #events: WireGuardEvent[] = [];
  #status: WireGuardStatus | undefined;
  #dropped = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #failures = 0;
  #loop: Promise<void> | undefined;

  constructor(options: ChannelOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Records waiting for the daemon, and how many were dropped because too many waited. */
  get pending(): number {
    return this.#usage.length;
  }

  get dropped(): number {
    return this.#dropped;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Closes the stream and makes one last attempt (bounded) to deliver what is queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#controller?.abort();
    this.#wake?.();
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    await this.#loop?.catch(() => undefined);
    await Promise.race([this.#flush(true), new Promise((r) => setTimeout(r, 1_000).unref())]);
  }

  queueUsage(record: WireUsageRecord): void {
    if (this.#usage.length >= MAX_USAGE) {
      this.#usage.shift();
      this.#dropped++;
    }
    this.#usage.push(record);
    this.#schedule();
  }

  queueEvent(event: WireGuardEvent): void {
    if (this.#events.length >= MAX_EVENTS) this.#events.shift();
    this.#events.push(event);
    this.#schedule();
  }

  setStatus(status: WireGuardStatus): void {
    this.#status = status;
    this.#schedule();
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    return {
      authorization: `Bearer ${this.#options.token}`,
      [GUARD_HEADERS.protocol]: String(GUARD_PROTOCOL),
      [GUARD_HEADERS.version]: this.#options.version,
      [GUARD_HEADERS.source]: this.#options.source,
      [GUARD_HEADERS.gateway]: this.#options.gatewayVersion(),
      ...extra,
    };
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let detail: string;
      try {
        detail = await this.#listen();
      } catch (error) {
        detail = (error as Error).message;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may set it while the await above is pending
      if (this.#stopped) return;
      const { minMs, maxMs } = this.#options.reconnect;
      const base = Math.min(maxMs, minMs * 2 ** Math.min(this.#attempt, 20));
      const delay = Math.round(base * (0.5 + (this.#options.random ?? Math.random)() * 0.5));
      this.#attempt++;
      this.#options.log.warn(`clawwarden daemon channel: ${detail}; reconnecting in ${delay} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** One connection: resolves with why it ended. */
  async #listen(): Promise<string> {
    const controller = new AbortController();
    this.#controller = controller;
    const idleMs = this.#options.idleMs ?? 45_000;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const touch = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, idleMs);
    };
    let up = false;
    try {
      touch();
      const res = await this.#fetch(`${this.#options.url}${GUARD_PATHS.verdicts}`, { headers: this.#headers({ accept: 'text/event-stream' }), signal: controller.signal });
      if (!res.ok || !res.body) {
        const text = (await res.text().catch(() => '')).slice(0, 300);
        return `the daemon answered ${res.status}${text ? `: ${text}` : ''}`;
      }
      up = true;
      this.#attempt = 0;
      this.#options.onConnected(true);
      this.#options.log.info(`clawwarden daemon channel open (${this.#options.url}, source ${this.#options.source})`);
      this.#schedule();
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'the daemon closed the stream';
        touch();
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
            .join('\n');
          if (data === '') continue;
          try {
            this.#options.onMessage(JSON.parse(data) as DaemonMessage);
          } catch (error) {
            this.#options.log.warn(`clawwarden daemon channel: ignored a message it could not apply: ${(error as Error).message}`);
          }
        }
      }
    } catch (error) {
      if (this.#stopped) return 'stopped';
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the idle timer sets it while the stream is read
      return timedOut ? `no word from the daemon for ${idleMs} ms` : `cannot reach ${this.#options.url}: ${(error as Error).message}`;
    } finally {
      if (idle) clearTimeout(idle);
      if (up) this.#options.onConnected(false);
    }
  }

  #schedule(delayMs = this.#options.flushMs ?? 100): void {
    if (this.#flushTimer || this.#stopped) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#flush(false);
    }, delayMs);
    this.#flushTimer.unref();
  }

  /** Posts one batch; on failure keeps it and tries again later with backoff. */
  async #flush(final: boolean): Promise<void> {
    if (this.#flushing) return this.#flushing;
    const usage = this.#usage.slice(0, BATCH);
    const events = this.#events.slice();
    const status = this.#status;
    if (usage.length === 0 && events.length === 0 && !status) return;
    const body: GuardReport = { ...(usage.length > 0 ? { usage } : {}), ...(events.length > 0 ? { events } : {}), ...(status ? { status } : {}) };
    this.#flushing = (async () => {
      try {
        const res = await this.#fetch(`${this.#options.url}${GUARD_PATHS.report}`, {
          method: 'POST',
          headers: this.#headers({ 'content-type': 'application/json' }),
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`the daemon answered ${res.status}`);
        this.#usage.splice(0, usage.length);
        this.#events.splice(0, events.length);
        if (this.#status === status) this.#status = undefined;
        this.#failures = 0;
        if (!final && (this.#usage.length > 0 || this.#events.length > 0)) this.#schedule();
      } catch {
        this.#failures++;
        if (!final) this.#schedule(Math.min(10_000, 250 * 2 ** Math.min(this.#failures, 6)));
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }
}
