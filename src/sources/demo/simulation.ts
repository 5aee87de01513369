import type { SourceEvent } from '../source.js';
import { Random, seedFor } from './random.js';
import type { Call, SessionSpec } from './session.js';
import { SimSession } from './session.js';

/** What starting work on a session came to: OpenClaw refuses new work on an archived session. */
export interface RunStart {
  readonly started: boolean;
  readonly detail: string;
}

export interface FleetOptions {
  readonly source: string;
  readonly seed: number;
  /** Pace multiplier: every future interval is divided by it; timestamps stay on the real clock. */
  readonly speed: number;
  readonly emit: (event: SourceEvent) => void;
}

/**
 * The simulated OpenClaw gateway: sessions, their runs and the model calls those runs make, advanced in time order
 * by `runUntil`. No timers and no clock of its own: whoever drives it says what time it is.
 */
export class DemoFleet {
  readonly #sessions = new Map<string, SimSession>();
  /** messageSeq per key; kept across resets and deletes so usage ids stay unique per key. */
  readonly #seqs = new Map<string, number>();
  #until = 0;

  constructor(private readonly options: FleetOptions) {}

  /** Epoch ms the simulation has been run up to. */
  get until(): number {
    return this.#until;
  }

  get(key: string): SimSession | undefined {
    return this.#sessions.get(key);
  }

  sessions(): IterableIterator<SimSession> {
    return this.#sessions.values();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Creates a session at `at` (no event: the cast is in place before anyone subscribes). */
  place(spec: SessionSpec, at: number): SimSession {
    const key = `agent:${spec.agent}:${spec.name}`;
    const session = new SimSession(spec, new Random(seedFor(this.options.seed, key)), Math.round(at));
    this.#sessions.set(key, session);
    return session;
  }

  /** Creates a session now, announcing it like OpenClaw's `sessions.changed` reason `create`. */
  create(spec: SessionSpec, at: number): SimSession {
    const session = this.place(spec, at);
    this.#announce(session, 'create');
    return session;
  }

  /** Books a past model call (the transcript before the watchdog connected): counted in baselines, never emitted. */
  recordPast(session: SimSession, call: Call, at: number): void {
    this.#nextSeq(session.key);
    session.book(call, Math.round(at));
  }

  /** Schedules the agent's next attempt to start work, `range` ms (before `speed`) from `at`. */
  scheduleWork(session: SimSession, at: number, range?: readonly [number, number]): void {
    const every = range ?? session.profile.workEvery;
    session.nextWorkAt = every ? Math.round(at + session.rng.int(every) / this.options.speed) : undefined;
  }

  /** Processes every happening up to `at`, in time order. */
  runUntil(at: number): void {
    for (;;) {
      let next: SimSession | undefined;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const s of this.#sessions.values()) {
        const t = s.nextAt();
        if (t < nextAt) {
          next = s;
          nextAt = t;
        }
      }
      if (!next || nextAt > at) break;
      this.#until = Math.max(this.#until, nextAt);
      this.#step(next, nextAt);
    }
    this.#until = Math.max(this.#until, at);
  }

  /** Starts a run (`calls` model calls, or an endless tool loop) unless the session is archived. */
  startRun(session: SimSession, calls: number | 'loop', at: number): RunStart {
    if (session.archived) {
      session.refusedAttempts++;
      return { started: false, detail: `Session "${session.key}" is archived. Restore it before starting new work.` };
    }
    if (session.run) return { started: true, detail: `run ${session.run.id} already active` };
    const first = session.rng.int(session.profile.gap) / this.options.speed;
    session.run = {
      id: session.rng.uuid(),
      startedAt: Math.round(at),
      callsLeft: calls === 'loop' ? Number.POSITIVE_INFINITY : Math.max(1, calls),
      nextCallAt: Math.round(at + first),
    };
    session.nextWorkAt = undefined;
    session.lastActivityAt = Math.max(session.lastActivityAt, Math.round(at));
    session.lastHumanAt = Math.max(session.lastHumanAt, Math.round(at));
    this.#announce(session, 'run.start');
    return { started: true, detail: `run ${session.run.id} started` };
  }

  /** Aborts the active run (OpenClaw `sessions.abort`); returns its id, or undefined when none was running. */
  abort(session: SimSession, at: number): string | undefined {
    const run = session.run;
    if (!run) return undefined;
    session.run = undefined;
    session.status = 'killed';
    this.#announce(session, 'abort');
    // The agent comes back to its routine later; a loop with no routine stays stopped.
    this.scheduleWork(session, at);
    return run.id;
  }

  /** Archives (which cancels any active run, as OpenClaw does) or restores a session. */
  setArchived(session: SimSession, archived: boolean, at: number): void {
    if (archived && session.run) this.abort(session, at);
    session.archived = archived;
    this.#announce(session, archived ? 'archive' : 'restore');
  }

  /** Deletes a session (stopping its run); it leaves the inventory. */
  remove(session: SimSession): void {
    session.run = undefined;
    this.#sessions.delete(session.key);
    this.options.emit({ type: 'removed', source: this.options.source, key: session.key });
  }

  /** Rolls the session into a new generation (OpenClaw `sessions.reset`: tokens zeroed, run stopped). */
  reset(session: SimSession, at: number): void {
    this.#roll(session, at);
    if (session.nextWorkAt === undefined) this.scheduleWork(session, at);
  }

  /** Summarises the context with one model call (spends tokens); returns the prompt size before and after. */
  compact(session: SimSession, at: number): { before: number; after: number } {
    const before = session.context;
    const after = Math.round(before * 0.12);
    const call: Call = { input: Math.max(before, 200), output: Math.max(after, 20), cacheRead: 0, cacheWrite: 0 };
    this.#call(session, call, Math.round(at));
    session.context = after;
    this.#announce(session, 'compact');
    return { before, after };
  }

  #step(session: SimSession, at: number): void {
    const run = session.run;
    if (!run) {
      const calls = session.profile.calls;
      const result = this.startRun(session, calls === 'loop' ? 'loop' : session.rng.int(calls), at);
      if (!result.started) this.scheduleWork(session, at);
      return;
    }
    this.#call(session, session.drawCall(), at);
    run.callsLeft--;
    if (run.callsLeft > 0) {
      run.nextCallAt = Math.round(at + Math.max(1, session.rng.int(session.profile.gap) / this.options.speed));
      return;
    }
    session.run = undefined;
    session.status = 'done';
    this.#announce(session, 'run.end');
    const limit = session.profile.resetAbove;
    if (limit !== undefined && session.tokens() > limit) this.#roll(session, at);
    this.scheduleWork(session, at);
  }

  #roll(session: SimSession, at: number): void {
    session.run = undefined;
    session.roll(Math.round(at));
    this.#announce(session, 'reset');
  }

  #call(session: SimSession, call: Call, at: number): void {
    const id = this.#nextSeq(session.key);
    const cost = session.book(call, at);
    const row = session.row(this.options.source);
    this.options.emit({
      type: 'usage',
      record: {
        source: this.options.source,
        key: session.key,
        generation: session.generation,
        agent: session.agent,
        id: String(id),
        at,
        ...call,
        cost,
      },
      session: row,
    });
  }

  #nextSeq(key: string): number {
    const seq = (this.#seqs.get(key) ?? 0) + 1;
    this.#seqs.set(key, seq);
    return seq;
  }

  #announce(session: SimSession, reason: string): void {
    this.options.emit({ type: 'session', session: session.row(this.options.source), reason });
  }
}
