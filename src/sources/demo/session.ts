import type { Session, Usage, UsageBaseline } from '../../domain/session.js';
import { totalTokens } from '../../domain/session.js';
import type { ModelPrice } from './prices.js';
import { costOf } from './prices.js';
import type { Random } from './random.js';

type Range = readonly [number, number];

/** How a simulated session behaves: its model, how often its agent tries to work, and what each model call costs. */
export interface Profile {
  /** What the cast calls it (`healthy`, `runaway`, …), for tests and the README. */
  readonly role: string;
  readonly price: ModelPrice;
  /** ms between the agent's attempts to start a run (scaled by `speed`); absent: it never starts work by itself. */
  readonly workEvery?: Range;
  /** Model calls per run; `loop`: a tool loop that never ends by itself. */
  readonly calls: Range | 'loop';
  /** ms between two model calls of a run (model latency plus tool time). */
  readonly gap: Range;
  /** Prompt tokens per call; with `growth`, the prompt starts at input[0] and grows per call up to input[1]. */
  readonly input: Range;
  readonly growth?: Range;
  readonly output: Range;
  readonly cacheRead: Range;
  /** The agent rolls the session (new generation) after a run once its tokens pass this. */
  readonly resetAbove?: number;
}

/** One model call's numbers. */
export type Call = Omit<Usage, 'cost'>;

/** An in-progress run. */
export interface Run {
  readonly id: string;
  readonly startedAt: number;
  /** Calls still to make; Infinity for a loop. */
  callsLeft: number;
  nextCallAt: number;
}

/** Everything needed to place a session in the fleet. */
export interface SessionSpec {
  readonly agent: string;
  /** The `<name>` of `agent:<agent>:<name>`; `main` makes it the agent's main session. */
  readonly name: string;
  readonly profile: Profile;
  readonly channel?: string;
}

const emptyUsage = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });

const addUsage = (into: Usage, call: Call, cost: number): void => {
  into.input += call.input;
  into.output += call.output;
  into.cacheRead += call.cacheRead;
  into.cacheWrite += call.cacheWrite;
  into.cost += cost;
};

const utcDate = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** One simulated OpenClaw session: its row, its current generation's cumulative usage, and its run. */
export class SimSession {
  readonly key: string;
  readonly agent: string;
  readonly main: boolean;
  readonly channel: string | undefined;
  readonly profile: Profile;
  readonly rng: Random;
  generation: string;
  startedAt: number;
  lastActivityAt: number;
  /** When a person last started work here (the demo's runs are all people's requests; its calls are not input). */
  lastHumanAt: number;
  archived = false;
  status = 'done';
  run: Run | undefined;
  /** When the agent next tries to start a run (only while idle). */
  nextWorkAt: number | undefined;
  /** Prompt size of the last call: what `compact` shrinks and a growing loop builds on. */
  context = 0;
  /** Attempts to start work that the platform refused because the session was archived. */
  refusedAttempts = 0;
  totals: Usage = emptyUsage();
  daily = new Map<string, Usage>();

  constructor(spec: SessionSpec, rng: Random, at: number) {
    this.agent = spec.agent;
    this.key = `agent:${spec.agent}:${spec.name}`;
    this.main = spec.name === 'main';
    this.channel = spec.channel;
    this.profile = spec.profile;
    this.rng = rng;
    this.generation = rng.uuid();
    this.startedAt = at;
    this.lastActivityAt = at;
    this.lastHumanAt = at;
  }

  /** Epoch ms of this session's next happening (a model call, or an attempt to start work); Infinity if none. */
  nextAt(): number {
    if (this.run) return this.run.nextCallAt;
    return this.nextWorkAt ?? Number.POSITIVE_INFINITY;
  }

  /** input + output + cache tokens of the current generation. */
  tokens(): number {
    return totalTokens(this.totals);
  }

  /** Draws the numbers of the next model call from the profile. */
  drawCall(): Call {
    const p = this.profile;
    let input: number;
    if (p.growth) {
      const base = this.context === 0 ? p.input[0] : this.context + this.rng.int(p.growth);
      input = Math.min(base, p.input[1] - this.rng.int([0, 400]));
    } else {
      input = this.rng.int(p.input);
    }
    return { input, output: this.rng.int(p.output), cacheRead: this.rng.int(p.cacheRead), cacheWrite: 0 };
  }

  /** Books one model call into the generation's totals and daily breakdown; returns its cost. */
  book(call: Call, at: number): number {
    const cost = costOf(this.profile.price, call);
    addUsage(this.totals, call, cost);
    const date = utcDate(at);
    const day = this.daily.get(date) ?? emptyUsage();
    addUsage(day, call, cost);
    this.daily.set(date, day);
    this.context = call.input;
    this.lastActivityAt = Math.max(this.lastActivityAt, at);
    return cost;
  }

  /** Starts a new generation: new id, zero usage (OpenClaw `sessions.reset` / a daily roll). */
  roll(at: number): void {
    this.generation = this.rng.uuid();
    this.startedAt = at;
    this.lastActivityAt = at;
    this.lastHumanAt = at;
    this.totals = emptyUsage();
    this.daily = new Map();
    this.context = 0;
  }

  /** The session as a source reports it. */
  row(source: string): Session {
    return {
      source,
      key: this.key,
      generation: this.generation,
      agent: this.agent,
      model: this.profile.price.model,
      provider: this.profile.price.provider,
      ...(this.channel ? { channel: this.channel } : {}),
      kind: 'direct',
      main: this.main,
      archived: this.archived,
      active: this.run !== undefined,
      startedAt: this.startedAt,
      lastActivityAt: this.lastActivityAt,
      lastHumanAt: this.lastHumanAt,
      ...(this.run ? { runStartedAt: this.run.startedAt } : {}),
      status: this.run ? 'running' : this.status,
    };
  }

  /** The generation's cumulative usage with its per-day breakdown, like OpenClaw `sessions.usage`. */
  baseline(source: string): UsageBaseline {
    return {
      source,
      key: this.key,
      generation: this.generation,
      agent: this.agent,
      ...this.totals,
      daily: [...this.daily.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, u]) => ({ date, ...u })),
      lastActivityAt: this.lastActivityAt,
    };
  }
}
