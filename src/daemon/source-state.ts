import type { Ledger } from '../ledger/ledger.js';
import type { FleetView } from '../enforcer/enforcer.js';
import type { Session, UsageBaseline } from '../domain/session.js';
import type { Source } from '../sources/source.js';
import { SpawnIndex } from '../domain/spawn-index.js';

/** Per-source live picture: connection, sync and the inventory as last reported. */
interface SourceState {
  readonly source: Source;
  up: boolean;
  synced: boolean;
  readonly sessions: Map<string, Session>;
  /** Who spawned whom among `sessions`, by key. */
  readonly spawned: SpawnIndex;
}

/**
 * The daemon's live model of every source: sessions by key, up/synced flags, and the shared ledger. A source is
 * `synced` only after a complete inventory and usage baseline following its latest (re)connect.
 */
export class LiveFleet implements FleetView {
  readonly #sources = new Map<string, SourceState>();

  constructor(readonly ledger: Ledger) {}

  add(source: Source): void {
    this.#sources.set(source.name, { source, up: false, synced: false, sessions: new Map(), spawned: new SpawnIndex() });
  }

  remove(name: string): void {
    this.#sources.delete(name);
  }

  names(): string[] {
    return [...this.#sources.keys()];
  }

  source(name: string): Source | undefined {
    return this.#sources.get(name)?.source;
  }

  synced(name: string): boolean {
    const s = this.#sources.get(name);
    return s !== undefined && s.up && s.synced;
  }

  up(name: string): boolean {
    return this.#sources.get(name)?.up ?? false;
  }

  setUp(name: string, up: boolean): void {
    const s = this.#sources.get(name);
    if (!s) return;
    s.up = up;
    // A reconnect invalidates the picture until the re-sync completes.
    s.synced = false;
    if (!up) this.ledger.markUnknown(name);
  }

  /** Installs a complete inventory (after a successful re-sync). */
  replaceInventory(name: string, sessions: readonly Session[]): void {
    const s = this.#sources.get(name);
    if (!s) return;
    s.sessions.clear();
    s.spawned.clear();
    for (const session of sessions) {
      s.sessions.set(session.key, session);
      s.spawned.set(session.key, session.parent);
    }
    s.synced = s.up;
  }

  /** Applies a live session update; returns the previous version. */
  upsert(session: Session): Session | undefined {
    const s = this.#sources.get(session.source);
    if (!s) return undefined;
    const previous = s.sessions.get(session.key);
    s.sessions.set(session.key, session);
    s.spawned.set(session.key, session.parent);
    return previous;
  }

  delete(source: string, key: string): void {
    const s = this.#sources.get(source);
    s?.sessions.delete(key);
    s?.spawned.delete(key);
  }

  session(source: string, key: string): Session | undefined {
    return this.#sources.get(source)?.sessions.get(key);
  }

  /** Sessions of synced sources only: evaluation never runs on a partial picture. */
  sessions(options: { includeUnsynced?: boolean } = {}): Session[] {
    const out: Session[] = [];
    for (const s of this.#sources.values()) {
      if (!options.includeUnsynced && !(s.up && s.synced)) continue;
      for (const session of s.sessions.values()) out.push(session);
    }
    return out;
  }

  /** Sessions of one agent in one synced source (event-driven evaluation). */
  agentSessions(source: string, agent: string): Session[] {
    const s = this.#sources.get(source);
    if (!s || !(s.up && s.synced)) return [];
    return [...s.sessions.values()].filter((session) => session.agent === agent);
  }

  /** Finds a session by key across sources (the CLI and API address sessions by key). */
  find(key: string): Session[] {
    const out: Session[] = [];
    for (const s of this.#sources.values()) {
      const session = s.sessions.get(key);
      if (session) out.push(session);
    }
    return out;
  }

  /** The sessions `key` spawned in that source (still in its inventory). */
  children(source: string, key: string): Session[] {
    const s = this.#sources.get(source);
    if (!s) return [];
    return s.spawned.childrenOf(key).flatMap((child) => s.sessions.get(child) ?? []);
  }

  usageKnown(source: string, key: string, generation: string): boolean {
    return this.ledger.session(source, key, generation)?.known ?? false;
  }

  usageSnapshot(source: string, key: string, generation: string): UsageBaseline | undefined {
    const e = this.ledger.session(source, key, generation);
    if (!e?.known) return undefined;
    const t = e.totals;
    const at = e.lastUsageAt ?? e.lastCallAt;
    return {
      source,
      key,
      generation,
      agent: e.agent,
      input: t.input,
      output: t.output,
      cacheRead: t.cacheRead,
      cacheWrite: t.cacheWrite,
      cost: t.cost,
      ...(at !== undefined ? { lastActivityAt: at } : {}),
    };
  }

  status(): { name: string; up: boolean; synced: boolean; sessions: number }[] {
    return [...this.#sources.values()].map((s) => ({ name: s.source.name, up: s.up, synced: s.up && s.synced, sessions: s.sessions.size }));
  }
}
