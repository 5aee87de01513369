import type { Session, UsageBaseline } from '../../domain/session.js';
import type { ActionName, ActionRequest, ActionResult } from '../../domain/action.js';
import type { Source, SourceContext, SourceEvent } from '../source.js';
import { ACTION_NAMES } from '../../domain/action.js';
import { performOn } from './actions.js';
import { PROFILES, castFleet } from './cast.js';
import type { RunStart } from './simulation.js';
import { DemoFleet } from './simulation.js';
import type { SimSession } from './session.js';
import { Storyline } from './story.js';

/** The demo source's options, as validated against its schema. */
export interface DemoOptions {
  /** Same seed, same fleet and same story. Default 42. */
  readonly seed?: number;
  /** Pace multiplier of the fleet (2 = everything happens twice as often). Default 1. */
  readonly speed?: number;
  /** Extra healthy background sessions, to scale the fleet for footprint benches. Default 0. */
  readonly sessions?: number;
  /** How often the real-time timer advances the fleet while started, in ms. Default 200. */
  readonly tickMs?: number;
  /** Play the storyline (story.ts): new incidents on their own clock after the start. Default false (`run --demo` turns it on). */
  readonly story?: boolean;
}

/** Raised when the demo is asked for data before `start` (a real source has no picture then either). */
export class DemoNotStartedError extends Error {
  readonly code = 'DEMO_NOT_STARTED';
  constructor(name: string) {
    super(`source "${name}" (demo) is not started`);
    this.name = 'DemoNotStartedError';
  }
}

/**
 * A simulated OpenClaw fleet of 13 agents (see cast.ts), deterministic from its seed. It advances on the injected clock:
 * a timer calls `tick()` every `tickMs` while started; tests and benches drive it with `tick()` / `advance(ms)`.
 */
export class DemoSource implements Source {
  readonly type = 'demo';
  readonly capabilities: ReadonlySet<ActionName> = new Set(ACTION_NAMES);
  readonly #fleet: DemoFleet;
  readonly #listeners = new Set<(event: SourceEvent) => void>();
  readonly #tickMs: number;
  readonly #story: Storyline | undefined;
  #offset = 0;
  #up = false;
  #timer: NodeJS.Timeout | undefined;
  #created = 0;

  constructor(
    readonly name: string,
    options: DemoOptions,
    private readonly context: SourceContext,
  ) {
    this.#tickMs = options.tickMs ?? 200;
    this.#fleet = new DemoFleet({
      source: name,
      seed: options.seed ?? 42,
      speed: options.speed ?? 1,
      emit: (event) => this.#emit(event),
    });
    const t0 = context.now();
    castFleet(this.#fleet, t0, options.sessions ?? 0);
    this.#story = options.story ? new Storyline(this.#fleet, t0, options.seed ?? 42, options.speed ?? 1) : undefined;
    this.#fleet.runUntil(t0);
  }

  /** The fleet's time: the injected clock plus whatever `advance` added. */
  now(): number {
    return this.context.now() + this.#offset;
  }

  /** Runs the simulation up to `now()`, emitting what happened (when started). */
  tick(): void {
    if (this.#story) this.#story.runUntil(this.now());
    else this.#fleet.runUntil(this.now());
  }

  /** Moves the fleet's own time forward by `ms` and simulates it: minutes of fleet in a millisecond, for tests and benches. */
  advance(ms: number): void {
    this.#offset += ms;
    this.tick();
  }

  async start(): Promise<void> {
    if (this.#up) return;
    this.tick();
    this.#up = true;
    this.#emit({ type: 'up', source: this.name });
    this.#timer = setInterval(() => this.#safeTick(), this.#tickMs);
    // The demo must never be what keeps a process alive (e.g. `check --demo`).
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#up = false;
  }

  isUp(): boolean {
    return this.#up;
  }

  async inventory(): Promise<Session[]> {
    this.#requireUp();
    this.tick();
    return [...this.#fleet.sessions()].map((s) => s.row(this.name));
  }

  async usage(keys?: readonly string[]): Promise<UsageBaseline[]> {
    this.#requireUp();
    this.tick();
    const sessions = keys ? keys.map((k) => this.#fleet.get(k)).filter((s): s is SimSession => s !== undefined) : [...this.#fleet.sessions()];
    return sessions.map((s) => s.baseline(this.name));
  }

  subscribe(listener: (event: SourceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async perform(request: ActionRequest): Promise<ActionResult> {
    try {
      if (!this.#up) return { status: 'failed', detail: `source "${this.name}" (demo) is not started` };
      this.tick();
      return performOn(this.#fleet, request, this.now());
    } catch (error) {
      return { status: 'failed', detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Creates an idle session with no history that works only when told (`startRun`): for contract tests and drivers. */
  createSession(agent: string, name?: string): string {
    this.tick();
    const spec = { agent, name: name ?? `contract-${++this.#created}`, profile: PROFILES.manual };
    return this.#fleet.create(spec, this.now()).key;
  }

  /** Makes the agent start a run now: `calls` model calls, or an endless tool loop. Refused while archived. */
  startRun(key: string, calls: number | 'loop' = 1): RunStart {
    this.tick();
    const session = this.#fleet.get(key);
    if (!session) return { started: false, detail: `unknown session "${key}"` };
    return this.#fleet.startRun(session, calls, this.now());
  }

  /** Rolls a session into a new generation (OpenClaw `sessions.reset`). */
  reset(key: string): boolean {
    this.tick();
    const session = this.#fleet.get(key);
    if (session) this.#fleet.reset(session, this.now());
    return session !== undefined;
  }

  /** The simulated session behind a key, read-only by convention: for tests and benches to look inside. */
  peek(key: string): Readonly<SimSession> | undefined {
    return this.#fleet.get(key);
  }

  #requireUp(): void {
    if (!this.#up) throw new DemoNotStartedError(this.name);
  }

  #safeTick(): void {
    try {
      this.tick();
    } catch (error) {
      this.context.log.error({ err: error, source: this.name }, 'demo fleet tick failed');
    }
  }

  #emit(event: SourceEvent): void {
    if (!this.#up && event.type !== 'up') return;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // One subscriber's bug must not stop the fleet or starve the others.
        this.context.log.error({ err: error, source: this.name, event: event.type }, 'demo event listener failed');
      }
    }
  }
}
