import type { Server } from 'node:http';
import { HttpError } from './errors.js';
import type { HttpLog } from './route.js';

/** Seconds a client refused for load is asked to wait (`Retry-After`); EventSource's own retry is 3 s. */
export const RETRY_AFTER_SECONDS = 10;

/** Refused connections are logged at most this often, so a flood cannot also flood the log. */
const DROP_LOG_INTERVAL_MS = 10_000;

/** The open event streams, at most `max`; each one's `stop` ends it when the server closes. */
export class EventStreams {
  readonly #stops = new Set<() => void>();
  #refused = 0;

  constructor(readonly max: number) {}

  /** Streams open now. */
  get open(): number {
    return this.#stops.size;
  }

  /** Streams refused with 503 since the server started. */
  get refused(): number {
    return this.#refused;
  }

  /** Takes a slot for a stream and returns the function that frees it; a 503 HttpError when all `max` are taken. */
  add(stop: () => void): () => void {
    if (this.#stops.size >= this.max) {
      this.#refused += 1;
      throw new HttpError(
        503,
        'TOO_MANY_STREAMS',
        `${this.max} event streams are open, the most http.maxEventStreams allows; retry in ${RETRY_AFTER_SECONDS} s, or close a console tab`,
        { limit: this.max, retryAfterSeconds: RETRY_AFTER_SECONDS },
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
    this.#stops.add(stop);
    return () => void this.#stops.delete(stop);
  }

  /** Ends every open stream (server shutdown). */
  stopAll(): void {
    for (const stop of [...this.#stops]) stop();
  }
}

/**
 * Refuses sockets past `maxConnections` at accept (node closes them before any HTTP parsing, so a flood costs
 * no parser or buffers), and logs the refusals at most once per interval. Returns the running count of refusals.
 */
export function limitConnections(server: Server, maxConnections: number, log: HttpLog): { readonly refused: () => number } {
  server.maxConnections = maxConnections;
  let refused = 0;
  let unlogged = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  server.on('drop', () => {
    refused += 1;
    unlogged += 1;
    const now = Date.now();
    if (now - loggedAt < DROP_LOG_INTERVAL_MS) return;
    log.warn({ maxConnections, refused: unlogged }, `refusing connections: ${maxConnections} are open, the most http.maxConnections allows`);
    loggedAt = now;
    unlogged = 0;
  });
  return { refused: () => refused };
}
