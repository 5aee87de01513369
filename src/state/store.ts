import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Decision, Episode, EngineState, Hold } from '../domain/decision.js';
import type { Mark } from '../domain/mark.js';
import { writeFileAtomic } from './atomic.js';
import type { JournalEntry } from './journal-types.js';

/** Raised for a state file that is not clawwarden's or cannot be parsed; the file has been moved aside. */
export class StateFileError extends Error {
  readonly code = 'STATE_FILE_INVALID';
  constructor(
    readonly file: string,
    readonly movedTo: string,
    reason: string,
  ) {
    super(`${file}: ${reason}; moved aside to ${movedTo} (nothing was reset silently: the old file is kept for inspection)`);
  }
}

/** The outcome of one action, recorded before the call (pending) and after it (final), so a restart never repeats it. */
export interface ActionRecord {
  /** `skipped` only in files written before safety refusals were called `refused`; `cancelled`: an operator unmarked it. */
  readonly status: 'pending' | 'done' | 'noop' | 'refused' | 'failed' | 'would' | 'skipped' | 'cancelled';
  readonly at: number;
}

interface StateDocument {
  readonly format: 'clawwarden-state';
  readonly version: 1;
  readonly episodes: [string, Episode][];
  readonly warned: string[];
  readonly holds: Hold[];
  readonly actions: [string, ActionRecord][];
  /** Decisions being applied when the file was written: finished after a crash, never dropped. */
  readonly inflight?: Decision[];
  /** Sessions marked for an action after a notice (absent in files written before marks). */
  readonly marks?: Mark[];
  /** The last journal entry this snapshot reflects; later entries are replayed on open. */
  readonly journalSeq?: number;
}

/** What replaying the journal restored (for the start-up report). */
export interface ReplayReport {
  readonly entries: number;
  readonly episodes: number;
  readonly holds: number;
  readonly actions: number;
  readonly inflight: number;
  readonly marks: number;
}

const FORMAT = 'clawwarden-state';
const holdKey = (source: string, key: string): string => `${source}\u0000${key}`;

/**
 * Enforcement memory in `stateDir/state.json`: escalation episodes, warn de-dup, holds and the record of every action
 * attempted. `commit()` replaces the file atomically; callers commit an action as pending before calling the platform.
 */
export class StateStore implements EngineState {
  readonly episodes = new Map<string, Episode>();
  readonly warned = new Set<string>();
  readonly holds = new Map<string, Hold>();
  readonly actions = new Map<string, ActionRecord>();
  /** Decisions whose steps are being applied (set before the first call, cleared when the step is recorded). */
  readonly inflight = new Map<string, Decision>();
  /** Actions deferred by a notice, by the enforcer's step id. */
  readonly marks = new Map<string, Mark>();
  #writing: Promise<void> = Promise.resolve();
  #journalSeq: () => number = () => 0;
  #loadedSeq: number | undefined;

  private constructor(readonly file: string) {}

  /**
   * The journal entry the file last reflected: replay entries after it. Undefined when the file predates this
   * bookkeeping (nothing to replay); 0 when there was no usable file (replay the whole journal).
   */
  get journalSeq(): number | undefined {
    return this.#loadedSeq;
  }

  /** Each commit records the journal's last sequence number, so a restart replays only what came after. */
  followJournal(lastSeq: () => number): void {
    this.#journalSeq = lastSeq;
  }

  /** Loads `state.json` from `dir` (empty state if absent). A corrupt or foreign file is moved aside and reported via `problems`. */
  static async open(dir: string, now: number): Promise<{ store: StateStore; problem?: StateFileError }> {
    const store = new StateStore(join(dir, 'state.json'));
    let text: string;
    try {
      text = await readFile(store.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        store.#loadedSeq = 0;
        return { store };
      }
      throw error;
    }
    const reason = store.#load(text);
    if (reason === undefined) return { store };
    store.#clear();
    store.#loadedSeq = 0;
    const movedTo = `${store.file}.invalid-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    await rename(store.file, movedTo);
    return { store, problem: new StateFileError(store.file, movedTo, reason) };
  }

  hold(source: string, key: string): Hold | undefined {
    return this.holds.get(holdKey(source, key));
  }

  setHold(hold: Hold): void {
    this.holds.set(holdKey(hold.source, hold.key), hold);
  }

  releaseHold(source: string, key: string): Hold | undefined {
    const hold = this.holds.get(holdKey(source, key));
    this.holds.delete(holdKey(source, key));
    return hold;
  }

  /** Drops records that can no longer matter: actions and episodes older than `retentionMs` without a cooldown running. */
  prune(now: number, retentionMs: number): void {
    for (const [id, record] of this.actions) if (now - record.at > retentionMs) this.actions.delete(id);
    for (const [key, episode] of this.episodes) {
      if (now - episode.firedAt > retentionMs && (episode.cooldownUntil ?? 0) < now) this.episodes.delete(key);
    }
  }

  /**
   * Re-applies journal entries (oldest first) written after the last snapshot — or all of them when state.json was
   * lost or corrupt — so escalation clocks, cooldowns, holds and finished actions are never lost or repeated.
   * Idempotent: an entry the snapshot already reflects changes nothing.
   */
  replay(entries: Iterable<JournalEntry>): ReplayReport {
    let count = 0;
    const touched = { episodes: new Set<string>(), holds: new Set<string>(), actions: new Set<string>(), marks: new Set<string>() };
    for (const e of entries) {
      count++;
      if (e.type === 'decision' && e.decision && e.plan && e.mode && e.kind && e.policy) {
        const d = e.plan;
        const episode = this.episodes.get(d.stateKey);
        const done = e.kind === 'warn' ? this.warned.has(e.decision) : episode !== undefined && episode.episode === d.episode && episode.stepDone >= d.step;
        if (!done && e.kind !== 'release') {
          // The journal line reads `<subject>: <reason>`; the decision's own reason is without the subject.
          const reason = e.reason.replace(/^resumed after a restart: /, '').replace(`${d.subject}: `, '');
          this.inflight.set(e.decision, {
            id: e.decision,
            policy: e.policy,
            kind: e.kind,
            mode: e.mode,
            reason,
            measurements: e.measurements ?? [],
            stateKey: d.stateKey,
            scope: d.scope,
            subject: d.subject,
            step: d.step,
            episode: d.episode,
            actions: d.actions,
            targets: d.targets,
            ...(d.window ? { window: d.window } : {}),
          });
        }
      } else if (e.type === 'step' && e.decision) {
        this.inflight.delete(e.decision);
        if (e.episode) {
          const { stateKey, ...episode } = e.episode;
          this.episodes.set(stateKey, episode);
          touched.episodes.add(stateKey);
        } else if (e.kind === 'warn') this.warned.add(e.decision);
      } else if (e.type === 'mark' && e.item) {
        if (e.result === 'marked' && e.mark) this.marks.set(e.item, e.mark);
        else this.marks.delete(e.item);
        // A cancelled mark is never placed again for the same step; a dropped one may be, if the policy matches anew.
        if (e.result === 'cancelled') this.actions.set(e.item, { status: 'cancelled', at: Date.parse(e.time) });
        touched.marks.add(e.item);
      } else if (e.type === 'action' && e.item && e.result && e.result !== 'marked' && e.result !== 'cancelled' && e.result !== 'dropped') {
        // The action a mark deferred has been taken: the mark is spent.
        this.marks.delete(e.item);
        this.actions.set(e.item, { status: e.result, at: Date.parse(e.time) });
        touched.actions.add(e.item);
        const placed = e.result === 'done' || e.result === 'noop';
        if (placed && e.hold) {
          this.setHold(e.hold);
          touched.holds.add(holdKey(e.hold.source, e.hold.key));
        } else if (placed && e.action === 'resume' && e.source && e.session) this.releaseHold(e.source, e.session);
      } else if (e.type === 'release' && e.source && e.session) {
        this.releaseHold(e.source, e.session);
      }
    }
    return { entries: count, episodes: touched.episodes.size, holds: touched.holds.size, actions: touched.actions.size, inflight: this.inflight.size, marks: touched.marks.size };
  }

  /** Writes the whole state atomically; concurrent commits are serialised and each resolves once its snapshot is durable. */
  commit(): Promise<void> {
    const document: StateDocument = {
      format: FORMAT,
      version: 1,
      episodes: [...this.episodes],
      warned: [...this.warned],
      holds: [...this.holds.values()],
      actions: [...this.actions],
      inflight: [...this.inflight.values()],
      marks: [...this.marks.values()],
      journalSeq: this.#journalSeq(),
    };
    const text = JSON.stringify(document);
    const next = this.#writing.then(() => writeFileAtomic(this.file, text));
    this.#writing = next.catch(() => undefined);
    return next;
  }

  /** Returns why the text is not a valid state document, or undefined after loading it. */
  #load(text: string): string | undefined {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return `not valid JSON (${(error as Error).message})`;
    }
    const doc = value as Partial<StateDocument> | null;
    if (!doc || typeof doc !== 'object' || doc.format !== FORMAT) return `not a clawwarden state file (expected "format": "${FORMAT}")`;
    if (doc.version !== 1) return `unsupported state version ${String(doc.version)} (this clawwarden reads version 1)`;
    if (!Array.isArray(doc.episodes) || !Array.isArray(doc.warned) || !Array.isArray(doc.holds) || !Array.isArray(doc.actions)) {
      return 'state file is missing episodes, warned, holds or actions';
    }
    for (const [k, v] of doc.episodes) this.episodes.set(k, v);
    for (const w of doc.warned) this.warned.add(w);
    for (const h of doc.holds) this.setHold(h);
    for (const [k, v] of doc.actions) this.actions.set(k, v);
    for (const d of doc.inflight ?? []) this.inflight.set(d.id, d);
    for (const m of doc.marks ?? []) this.marks.set(m.id, m);
    this.#loadedSeq = typeof doc.journalSeq === 'number' ? doc.journalSeq : undefined;
    return undefined;
  }

  #clear(): void {
    this.episodes.clear();
    this.warned.clear();
    this.holds.clear();
    this.actions.clear();
    this.inflight.clear();
    this.marks.clear();
  }
}
