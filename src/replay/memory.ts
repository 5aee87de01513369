import type { Decision, EngineState, Episode, Hold } from '../engine/types.js';
import type { Mark } from '../domain/mark.js';
import type { Session } from '../sources/source.js';
import type { JournalEntry } from '../state/journal-types.js';
import type { JournalRecord } from '../state/journal.js';
import type { ActionRecord, StateStore } from '../state/store.js';

/** The members of the daemon's StateStore the enforcer reads and writes; MemoryState provides exactly these. */
export type EnforcerState = Pick<StateStore, 'episodes' | 'warned' | 'holds' | 'actions' | 'inflight' | 'marks' | 'hold' | 'setHold' | 'releaseHold' | 'commit'>;

const holdKey = (source: string, key: string): string => `${source}\u0000${key}`;

/**
 * Enforcement memory (episodes, cooldowns, warn de-dup, holds, action records) kept in memory only: what a replay or a
 * policy test needs to run the real enforcer without a state directory. `commit` is a no-op: nothing outlives the run.
 */
export class MemoryState implements EnforcerState {
  readonly episodes = new Map<string, Episode>();
  readonly warned = new Set<string>();
  readonly holds = new Map<string, Hold>();
  readonly actions = new Map<string, ActionRecord>();
  readonly inflight = new Map<string, Decision>();
  readonly marks = new Map<string, Mark>();

  hold(source: string, key: string): Hold | undefined {
    return this.holds.get(holdKey(source, key));
  }

  setHold(hold: Hold): void {
    this.holds.set(holdKey(hold.source, hold.key), hold);
    if (hold.until !== undefined) this.#timed.set(holdKey(hold.source, hold.key), hold);
    else this.#timed.delete(holdKey(hold.source, hold.key));
  }

  releaseHold(source: string, key: string): Hold | undefined {
    const hold = this.holds.get(holdKey(source, key));
    this.holds.delete(holdKey(source, key));
    this.#timed.delete(holdKey(source, key));
    return hold;
  }

  /**
   * What the engine needs to evaluate `sessions` alone: their holds (for `state`) and every hold a window reset
   * releases. The engine indexes the holds it is given on every evaluation; given them all, a replay with thousands of
   * paused sessions would spend its time there, and the holds of other sessions cannot change these sessions' verdicts.
   */
  viewFor(sessions: readonly Session[]): EngineState {
    if (this.holds.size === 0) return this;
    const holds = new Map(this.#timed);
    for (const s of sessions) {
      const h = this.holds.get(holdKey(s.source, s.key));
      if (h) holds.set(holdKey(s.source, s.key), h);
    }
    return { episodes: this.episodes, warned: this.warned, holds };
  }

  readonly #timed = new Map<string, Hold>();

  commit(): Promise<void> {
    return Promise.resolve();
  }
}

/** The member of the daemon's Journal the enforcer writes to. */
export type EnforcerJournal = Pick<import('../state/journal.js').Journal, 'append'>;

/** An audit journal in memory, numbered and timestamped on the stage's clock; keeps at most `limit` entries (the newest). */
export class MemoryJournal implements EnforcerJournal {
  readonly entries: JournalEntry[] = [];
  #seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {}

  append(record: JournalRecord): Promise<JournalEntry> {
    const entry = { seq: ++this.#seq, time: new Date(this.now()).toISOString(), ...record } as JournalEntry;
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return Promise.resolve(entry);
  }
}
