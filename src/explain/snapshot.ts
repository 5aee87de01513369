import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import { fleetRead, type FleetView } from '../enforcer/plan.js';
import type { EngineState, Episode, Hold } from '../engine/types.js';
import { Ledger } from '../ledger/ledger.js';
import type { Mark } from '../domain/mark.js';
import { sourceModules } from '../sources/index.js';
import type { Session, Source, SourceContext } from '../sources/source.js';

/** How long a source may take to connect and answer. */
const SOURCE_TIMEOUT_MS = 15_000;

/** The fleet as the sources report it now, and the enforcement memory the daemon last saved. */
export interface Snapshot {
  readonly sessions: readonly Session[];
  readonly ledger: Ledger;
  readonly state: SavedState;
  /** The fleet as the enforcer's planning sees it: every source just read (synced), with its capabilities. */
  readonly fleet: FleetView;
  /** Set when the daemon's state file could not be read (the explanation then assumes nothing was acted on yet). */
  readonly stateNote?: string;
}

/** A source that could not be read. */
export class SnapshotError extends Error {
  readonly code = 'SNAPSHOT';
}

/** Reads every configured source once (inventory and cumulative usage) and the daemon's saved state, read-only. */
export async function takeSnapshot(config: Config, now: () => number = Date.now): Promise<Snapshot> {
  const context: SourceContext = { now, log: { info() {}, warn() {}, error() {}, debug() {} } };
  const sources: Source[] = [];
  const ledger = new Ledger();
  const sessions: Session[] = [];
  try {
    for (const entry of config.sources) {
      const module = sourceModules.find((m) => m.name === entry.type);
      if (!module) throw new SnapshotError(`source "${entry.name}": unknown type "${entry.type}"`);
      const source = module.create(entry.name, { ...entry.options }, context);
      sources.push(source);
      await within(
        (async () => {
          await source.start();
          sessions.push(...(await source.inventory()));
          for (const baseline of await source.usage()) ledger.applyBaseline(baseline);
        })(),
        `source "${entry.name}" did not answer within ${SOURCE_TIMEOUT_MS / 1000}s`,
      );
    }
  } finally {
    await Promise.allSettled(sources.map((s) => s.close()));
  }
  const saved = await readSavedState(config.stateDir);
  const fleet = fleetRead(new Map(sources.map((s) => [s.name, { type: s.type, capabilities: s.capabilities }])), sessions, ledger);
  return { sessions, ledger, state: saved.state, fleet, ...(saved.note ? { stateNote: saved.note } : {}) };
}

/** The enforcement memory explain reads: the engine's, and the pending marks. */
export type SavedState = EngineState & { readonly marks: ReadonlyMap<string, Mark> };

/**
 * The episodes, warn de-dup, holds and marks of `stateDir/state.json`, read without touching the file (the daemon owns
 * it). Missing or unreadable: empty state and a note, never an error.
 */
export async function readSavedState(dir: string): Promise<{ state: SavedState; note?: string }> {
  const empty: SavedState = { episodes: new Map(), warned: new Set(), holds: new Map(), marks: new Map() };
  let text: string;
  try {
    text = await readFile(join(dir, 'state.json'), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      state: empty,
      note:
        code === 'ENOENT'
          ? `no saved state in ${dir} (the daemon has not run there): ladders and cooldowns are shown as not started and no marks as pending`
          : `cannot read ${join(dir, 'state.json')} (${code ?? 'error'}): ladders and cooldowns are shown as not started and no marks as pending`,
    };
  }
  try {
    const doc = JSON.parse(text) as { format?: unknown; episodes?: [string, Episode][]; warned?: string[]; holds?: Hold[]; marks?: Mark[] };
    if (doc.format !== 'clawwarden-state' || !Array.isArray(doc.episodes) || !Array.isArray(doc.warned) || !Array.isArray(doc.holds)) throw new Error('not a clawwarden state file');
    // Files written before marks have none.
    const marks = new Map(Array.isArray(doc.marks) ? doc.marks.map((m) => [m.id, m] as const) : []);
    return { state: { episodes: new Map(doc.episodes), warned: new Set(doc.warned), holds: new Map(doc.holds.map((h) => [`${h.source}\u0000${h.key}`, h])), marks } };
  } catch (error) {
    return { state: empty, note: `${join(dir, 'state.json')} is not usable (${(error as Error).message}): ladders and cooldowns are shown as not started and no marks as pending` };
  }
}

async function within<T>(work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SnapshotError(message)), SOURCE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
