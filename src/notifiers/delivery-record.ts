import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../state/atomic.js';
import type { RateLimit } from './rate-limit.js';

/** Where the record lives inside the state dir. */
export const DELIVERY_RECORD_FILE = 'notifications.json';

interface NotifierRecord {
  /** dedupKey → epoch ms it was sent. */
  sent: Record<string, number>;
  /** Epoch ms of recent sends, for the rate limit window. */
  window: number[];
}

interface RecordFile {
  version: 1;
  notifiers: Record<string, NotifierRecord>;
}

/** Minimal logger shape (pino-compatible). */
export interface DeliveryLog {
  debug(o: object, msg?: string): void;
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

/**
 * What was delivered where, persisted in `stateDir/notifications.json` so de-duplication and rate limits survive
 * restarts. Keys expire after `ttlMs`; each notifier keeps at most `maxKeys` (oldest dropped) so the file stays small.
 */
export class DeliveryRecord {
  readonly #path: string;
  readonly #log: DeliveryLog;
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #notifiers: Map<string, NotifierRecord>;
  #chain: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;

  private constructor(path: string, log: DeliveryLog, ttlMs: number, maxKeys: number, notifiers: Map<string, NotifierRecord>) {
    this.#path = path;
    this.#log = log;
    this.#ttlMs = ttlMs;
    this.#maxKeys = maxKeys;
    this.#notifiers = notifiers;
  }

  /** Reads the record; a missing file is empty, a corrupt one is logged and started afresh (never fatal). */
  static async load(stateDir: string, log: DeliveryLog, options: { ttlMs: number; maxKeys: number }): Promise<DeliveryRecord> {
    const path = join(stateDir, DELIVERY_RECORD_FILE);
    const notifiers = new Map<string, NotifierRecord>();
    try {
      // A file from disk: every field is checked before it is taken.
      const parsed = JSON.parse(await readFile(path, 'utf8')) as { notifiers?: Record<string, { sent?: Record<string, unknown>; window?: unknown[] }> };
      for (const [name, rec] of Object.entries(parsed.notifiers ?? {})) {
        const sent: Record<string, number> = {};
        for (const [key, at] of Object.entries(rec.sent ?? {})) if (typeof at === 'number') sent[key] = at;
        notifiers.set(name, { sent, window: (rec.window ?? []).filter((t): t is number => typeof t === 'number') });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.error({ file: path, err: (error as Error).message }, 'notification record unreadable; starting with an empty one');
      }
    }
    return new DeliveryRecord(path, log, options.ttlMs, options.maxKeys, notifiers);
  }

  #of(notifier: string): NotifierRecord {
    let rec = this.#notifiers.get(notifier);
    if (!rec) {
      rec = { sent: {}, window: [] };
      this.#notifiers.set(notifier, rec);
    }
    return rec;
  }

  /** True when `dedupKey` was already delivered through `notifier` (and has not expired). */
  wasSent(notifier: string, dedupKey: string, now: number): boolean {
    const at = this.#notifiers.get(notifier)?.sent[dedupKey];
    return at !== undefined && now - at < this.#ttlMs;
  }

  /** Remembers a delivery. */
  markSent(notifier: string, dedupKey: string, now: number): void {
    const rec = this.#of(notifier);
    rec.sent[dedupKey] = now;
    // Insertion order is send order, so the first keys are the oldest: past maxKeys they go, and so does every expired one.
    const kept = Object.entries(rec.sent);
    rec.sent = Object.fromEntries(kept.slice(Math.max(0, kept.length - this.#maxKeys)).filter(([, at]) => now - at < this.#ttlMs));
    void this.save();
  }

  /** Takes one send slot under `limit`; false when the window is full. */
  take(notifier: string, limit: RateLimit, now: number): boolean {
    const rec = this.#of(notifier);
    rec.window = rec.window.filter((t) => now - t < limit.perMs);
    if (rec.window.length >= limit.count) return false;
    rec.window.push(now);
    void this.save();
    return true;
  }

  /** Gives back a slot taken for a message that was never delivered. */
  giveBack(notifier: string, at: number): void {
    const rec = this.#of(notifier);
    const index = rec.window.lastIndexOf(at);
    if (index >= 0) rec.window.splice(index, 1);
    void this.save();
  }

  /** Writes the record atomically; concurrent calls coalesce into one write that sees the latest state. Never rejects. */
  save(): Promise<void> {
    if (this.#queued) return this.#queued;
    const run = this.#chain.then(async () => {
      this.#queued = undefined;
      const file: RecordFile = { version: 1, notifiers: Object.fromEntries(this.#notifiers) };
      await writeFileAtomic(this.#path, `${JSON.stringify(file)}\n`);
    });
    this.#queued = run.catch((error: unknown) => {
      this.#log.error({ file: this.#path, err: (error as Error).message }, 'could not persist the notification record');
    });
    this.#chain = this.#queued;
    return this.#queued;
  }
}
