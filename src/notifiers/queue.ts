import { DeliveryRecord, type DeliveryLog } from './delivery-record.js';
import type { NotifierEntry } from './index.js';
import type { RateLimit } from './rate-limit.js';
import type { Notification, Notifier } from './types.js';

/** The outcome of one notification on one notifier, as `clawwarden_notifications_total{result}` counts it. */
export type NotificationResult = 'sent' | 'error' | 'deduplicated' | 'rate-limited';

/** How the queue retries a failing notifier: full-jitter exponential backoff, bounded attempts. */
export interface RetryPolicy {
  /** Total attempts including the first; default 5. */
  readonly attempts: number;
  /** First backoff ceiling; default 1 s. */
  readonly baseMs: number;
  /** Backoff ceiling; default 60 s. */
  readonly maxMs: number;
}

export interface NotificationQueueOptions {
  readonly notifiers: readonly NotifierEntry[];
  /** De-dup keys and rate-limit windows are persisted here (`notifications.json`). */
  readonly stateDir: string;
  readonly log: DeliveryLog;
  /** Called once per (notification, notifier) with the final outcome; the daemon counts it. */
  readonly onResult?: (notifier: string, result: NotificationResult) => void;
  readonly retry?: Partial<RetryPolicy>;
  /** How long a delivered dedupKey suppresses repeats; default 7 days. */
  readonly dedupTtlMs?: number;
  /** Backlog bound per notifier; beyond it the oldest waiting message is dropped (counted as error). Default 1000. */
  readonly maxBacklog?: number;
  /** Guard against a notifier whose own timeout fails; default 120 s. */
  readonly sendTimeoutMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /**
   * On reload: the queue being replaced. The new queue shares its delivery record (same state file, same memory), so
   * what the old one still delivers while it drains is de-duplicated and rate-limited for the new one too.
   */
  readonly previous?: NotificationQueue;
}

interface Lane {
  readonly notifier: Notifier;
  readonly rateLimit: RateLimit;
  readonly backlog: Notification[];
  /** dedupKeys waiting or in flight, so a repeat enqueued meanwhile is de-duplicated too. */
  readonly pending: Set<string>;
  worker: Promise<void> | undefined;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 1_000, maxMs: 60_000 };

/**
 * Delivers notifications off the enforcement path: `enqueue` returns at once; one worker per notifier delivers in
 * order with retries, so a dead SMTP server never delays the webhook (or anything else). Failures are logged and
 * counted, never thrown to the caller.
 */
export class NotificationQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #record: DeliveryRecord;
  readonly #stateDir: string;
  readonly #log: DeliveryLog;
  readonly #onResult: (notifier: string, result: NotificationResult) => void;
  readonly #retry: RetryPolicy;
  readonly #maxBacklog: number;
  readonly #sendTimeoutMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleeps = new Set<() => void>();
  #closing = false;
  #abandoned = false;

  private constructor(options: NotificationQueueOptions, record: DeliveryRecord) {
    this.#record = record;
    this.#stateDir = options.stateDir;
    this.#log = options.log;
    this.#onResult = options.onResult ?? (() => undefined);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#maxBacklog = options.maxBacklog ?? 1000;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? 120_000;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    for (const { notifier, rateLimit } of options.notifiers) {
      this.#lanes.set(notifier.name, { notifier, rateLimit, backlog: [], pending: new Set(), worker: undefined });
    }
  }

  /** Loads the persisted delivery record from `stateDir` and returns a running queue. */
  static async open(options: NotificationQueueOptions): Promise<NotificationQueue> {
    if (options.previous && options.previous.#stateDir === options.stateDir) return new NotificationQueue(options, options.previous.#record);
    const record = await DeliveryRecord.load(options.stateDir, options.log, { ttlMs: options.dedupTtlMs ?? 7 * 86_400_000, maxKeys: 10_000 });
    return new NotificationQueue(options, record);
  }

  /** Names of the notifiers this queue delivers to. */
  get notifiers(): readonly string[] {
    return [...this.#lanes.keys()];
  }

  /** Queues `notification` for each named notifier (or all); returns immediately. Unknown names are logged. */
  enqueue(notification: Notification, to: readonly string[] | 'all'): void {
    if (this.#closing) {
      this.#log.warn({ kind: notification.kind, dedupKey: notification.dedupKey }, 'notification queue is closing; message dropped');
      return;
    }
    const names = to === 'all' ? [...this.#lanes.keys()] : [...new Set(to)];
    for (const name of names) {
      const lane = this.#lanes.get(name);
      if (!lane) {
        this.#log.warn({ notifier: name, kind: notification.kind }, 'notification for an unknown notifier dropped');
        continue;
      }
      if (lane.pending.has(notification.dedupKey) || this.#record.wasSent(name, notification.dedupKey, this.#now())) {
        this.#log.debug({ notifier: name, dedupKey: notification.dedupKey }, 'notification de-duplicated');
        this.#onResult(name, 'deduplicated');
        continue;
      }
      if (lane.backlog.length >= this.#maxBacklog) {
        const dropped = lane.backlog.shift() as Notification;
        lane.pending.delete(dropped.dedupKey);
        this.#log.error({ notifier: name, dedupKey: dropped.dedupKey }, 'notification backlog full; oldest message dropped');
        this.#onResult(name, 'error');
      }
      lane.pending.add(notification.dedupKey);
      lane.backlog.push(notification);
      lane.worker ??= this.#work(lane).finally(() => {
        lane.worker = undefined;
      });
    }
  }

  /** Resolves once every backlog is empty and nothing is in flight. */
  async idle(): Promise<void> {
    for (;;) {
      const workers = [...this.#lanes.values()].map((l) => l.worker).filter((w): w is Promise<void> => w !== undefined);
      if (workers.length === 0) return;
      await Promise.all(workers);
    }
  }

  /**
   * Stops accepting, lets backlogs drain for up to `timeoutMs` (retries still back off), then abandons what is left
   * (logged), persists the record and closes the notifiers.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.#abandoned = true;
      for (const wake of this.#sleeps) wake();
      for (const lane of this.#lanes.values()) {
        if (lane.backlog.length > 0) this.#log.warn({ notifier: lane.notifier.name, dropped: lane.backlog.length }, 'shutting down; undelivered notifications dropped');
        lane.backlog.length = 0;
      }
      await this.idle();
    }
    await this.#record.save();
    await Promise.all([...this.#lanes.values()].map((l) => Promise.resolve(l.notifier.close?.().catch(() => undefined))));
  }

  async #work(lane: Lane): Promise<void> {
    for (let next = lane.backlog.shift(); next !== undefined; next = lane.backlog.shift()) {
      try {
        const result = await this.#deliver(lane, next);
        this.#onResult(lane.notifier.name, result);
      } finally {
        lane.pending.delete(next.dedupKey);
      }
    }
  }

  async #deliver(lane: Lane, notification: Notification): Promise<NotificationResult> {
    const name = lane.notifier.name;
    const context = { notifier: name, kind: notification.kind, dedupKey: notification.dedupKey };
    const slot = this.#now();
    if (!this.#record.take(name, lane.rateLimit, slot)) {
      this.#log.warn({ ...context, limit: lane.rateLimit }, 'notification rate-limited; message dropped');
      return 'rate-limited';
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#sendOnce(lane.notifier, notification);
        this.#record.markSent(name, notification.dedupKey, this.#now());
        this.#log.info({ ...context, attempt }, 'notification sent');
        return 'sent';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= this.#retry.attempts || this.#abandoned) {
          this.#log.error({ ...context, attempt, err: message }, 'notification failed; giving up');
          this.#record.giveBack(name, slot);
          return 'error';
        }
        const delay = this.#random() * Math.min(this.#retry.maxMs, this.#retry.baseMs * 2 ** (attempt - 1));
        this.#log.warn({ ...context, attempt, retryInMs: Math.round(delay), err: message }, 'notification failed; retrying');
        await this.#sleep(delay);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may set it while the sleep above is pending
        if (this.#abandoned) {
          this.#log.error({ ...context, attempt, err: message }, 'notification failed; giving up at shutdown');
          this.#record.giveBack(name, slot);
          return 'error';
        }
      }
    }
  }

  async #sendOnce(notifier: Notifier, notification: Notification): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        notifier.send(notification),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${notifier.type} ${notifier.name}: no result within ${this.#sendTimeoutMs} ms`)), this.#sendTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A backoff sleep that `close` can cut short. */
  #sleep(ms: number): Promise<void> {
    if (this.#abandoned) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeps.add(wake);
    });
  }
}
