import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { createHttpServer } from '../http/server.js';
import { createMetrics, type WardenMetrics } from '../metrics/metrics.js';
import { StateDirLock } from '../state/lock.js';
import { Daemon } from './daemon.js';
import { GuardHub } from '../guard/hub.js';
import { guardWarnings } from '../config/settings.js';
import { liveOutputsFactory } from './metrics-and-notifiers.js';

/** A running clawwarden: the daemon, its metrics and its HTTP server (API, console, /metrics). */
export interface Warden {
  readonly daemon: Daemon;
  readonly metrics: WardenMetrics;
  readonly address: { readonly host: string; readonly port: number };
  /** The in-gateway guard channel, when the config has a `guard:` block. */
  readonly guard?: GuardHub;
  /** Stops the HTTP server, then the daemon (which finishes the job in flight and flushes state), then releases the state directory. */
  close(): Promise<void>;
}

export interface WardenOptions {
  readonly log: Logger;
  readonly version: string;
  readonly now?: () => number;
  readonly eventDriven?: boolean;
  /** process_* and nodejs_* families; default true. */
  readonly processMetrics?: boolean;
}

/** The composition root `clawwarden run` uses (and the tests, so they run exactly what operators run). */
export async function startWarden(config: Config, options: WardenOptions): Promise<Warden> {
  const { log } = options;
  // Before anything opens the journal, state or ledger: a second daemon on this directory stops here, having written nothing.
  await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
  const lock = await StateDirLock.acquire(config.stateDir, { log });
  try {
    return await startLocked(config, options, lock);
  } catch (error) {
    await lock.release().catch((releaseError: unknown) => log.warn({ err: releaseError }, 'releasing the state directory lock failed'));
    throw error;
  }
}

async function startLocked(config: Config, options: WardenOptions, lock: StateDirLock): Promise<Warden> {
  const { log } = options;
  let daemon: Daemon | undefined;
  const metrics = createMetrics({
    topSessions: config.metrics.topSessions,
    version: options.version,
    // Pulled at scrape time, so /metrics is as fresh as the scrape.
    fleet: () => ({ sessions: daemon?.sessions() ?? [], budgets: daemon?.aggregates() ?? [], usageUnknown: daemon?.usageUnknown() ?? new Map() }),
    log,
    ...(options.processMetrics !== undefined ? { processMetrics: options.processMetrics } : {}),
  });
  // Start-up says where `hard: true` falls back to the external stop, as `validate` does.
  for (const warning of guardWarnings(config.policies, config.sources, config.guard, { file: config.file })) log.warn({ policy: warning.path }, warning.message);
  const guard = config.guard ? new GuardHub(config, { log, version: options.version, registry: metrics.registry, ...(options.now ? { now: options.now } : {}) }) : undefined;
  daemon = await Daemon.start(config, {
    log,
    outputs: liveOutputsFactory({ log, metrics, ...(options.now ? { now: options.now } : {}) }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.eventDriven !== undefined ? { eventDriven: options.eventDriven } : {}),
    ...(guard ? { guard } : {}),
  });
  const running = daemon;
  if (guard) {
    running.guard = guard;
    try {
      await guard.start(running);
    } catch (error) {
      // Guards could not reach a daemon that believes it has them: refuse to start, as for the API port.
      await running.close();
      throw new Error(`cannot open the guard channel on ${config.guard?.listen}: ${(error as Error).message}`, { cause: error });
    }
  }
  const http = createHttpServer({
    view: running,
    metrics: { render: () => metrics.render(), contentType: metrics.contentType },
    listen: config.http.listen,
    ...(config.http.token ? { token: config.http.token } : {}),
    corsOrigins: config.http.corsOrigins,
    ...(config.http.maxConnections !== undefined ? { maxConnections: config.http.maxConnections } : {}),
    ...(config.http.maxEventStreams !== undefined ? { maxEventStreams: config.http.maxEventStreams } : {}),
    ...(config.http.requestTimeoutMs !== undefined ? { requestTimeoutMs: config.http.requestTimeoutMs } : {}),
    log,
  });
  let address: { host: string; port: number };
  try {
    address = await http.listen();
  } catch (error) {
    // The port is taken or not ours to bind: do not leave a daemon acting with no API in front of it.
    await guard?.close();
    await running.close();
    throw error;
  }
  return {
    daemon: running,
    metrics,
    address,
    ...(guard ? { guard } : {}),
    async close() {
      await guard?.close().catch((error: unknown) => log.warn({ err: error }, 'closing the guard channel failed'));
      await http.close().catch((error: unknown) => log.warn({ err: error }, 'closing the HTTP server failed'));
      try {
        await running.close();
      } finally {
        await lock.release().catch((error: unknown) => log.warn({ err: error }, 'releasing the state directory lock failed'));
      }
    },
  };
}
