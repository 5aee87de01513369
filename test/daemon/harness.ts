import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, formatConfigError } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/daemon/logger.js';
import { liveOutputsFactory } from '../../src/daemon/metrics-and-notifiers.js';
import { createMetrics, type WardenMetrics } from '../../src/metrics/metrics.js';
import type { DemoSource } from '../../src/sources/demo/index.js';
import type { JournalEntry } from '../../src/state/journal-types.js';

/** A daemon on the real demo source with a clock the test moves. */
export interface DaemonWorld {
  daemon: Daemon;
  demo: DemoSource;
  metrics: WardenMetrics;
  config: Config;
  dir: string;
  clock: { now: number };
  journal(): Promise<JournalEntry[]>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** Writes `yaml` (with `stateDir` set to a fresh temp dir) and starts a daemon on it. */
export async function startWorld(yaml: string, start = T0): Promise<DaemonWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-daemon-'));
  await writeFile(join(dir, 'clawwarden.yaml'), `stateDir: ${join(dir, 'state')}\n${yaml}`);
  const loaded = loadConfig({ file: join(dir, 'clawwarden.yaml'), cwd: dir, env: {} });
  if (!loaded.config) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
  const config = loaded.config;
  const clock = { now: start };
  const log = createLogger({ level: 'silent' });
  const launch = async (): Promise<{ daemon: Daemon; metrics: WardenMetrics }> => {
    let daemon: Daemon | undefined;
    const metrics = createMetrics({
      topSessions: 50,
      version: 'test',
      processMetrics: false,
      fleet: () => ({ sessions: daemon?.sessions() ?? [], budgets: daemon?.aggregates() ?? [], usageUnknown: daemon?.usageUnknown() ?? new Map() }),
    });
    daemon = await Daemon.start(config, { log, now: () => clock.now, outputs: liveOutputsFactory({ log, metrics, now: () => clock.now }) });
    return { daemon, metrics };
  };
  const first = await launch();
  const world: DaemonWorld = {
    ...first,
    demo: first.daemon.fleet.source('demo') as DemoSource,
    config,
    dir,
    clock,
    journal: () => world.daemon.journal({ limit: 10_000 }),
    async restart() {
      await world.daemon.close();
      const next = await launch();
      world.daemon = next.daemon;
      world.metrics = next.metrics;
      world.demo = next.daemon.fleet.source('demo') as DemoSource;
    },
    async cleanup() {
      await world.daemon.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Actions in the journal, oldest first, as `policy action key result`. */
export function actions(entries: readonly JournalEntry[]): string[] {
  return entries
    .filter((e) => e.type === 'action')
    .reverse()
    .map((e) => `${e.policy ?? '-'} ${e.action} ${e.session} ${e.result}`);
}
