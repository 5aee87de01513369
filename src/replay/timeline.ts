import type { Usage } from '../sources/source.js';
import { totalTokens } from '../domain/session.js';

/** Something the history cannot say, named instead of being silently wrong. */
export interface Gap {
  /**
   * - `history`: a span with no history at all (the recorder was not running, a file is missing);
   * - `retention`: the history starts later than asked (the gateway or the recorder keeps less);
   * - `unpriced`: calls without a price (a model with no cost configured): their cost counts as $0;
   * - `reset`: a session was reset in the period and the calls of a generation are not all there;
   * - `mismatch`: the calls read add up to less than the platform's own totals for the session;
   * - `coarse`: the platform gave grouped points, not every call: times are those of each group's last call;
   * - `unmeasured`: a policy uses a condition the history cannot measure (`idle.human`): it never matches through it here.
   */
  readonly kind: 'history' | 'retention' | 'unpriced' | 'reset' | 'mismatch' | 'coarse' | 'unmeasured';
  readonly detail: string;
  readonly session?: string;
  readonly from?: number;
  readonly to?: number;
}

/** What is known about a session apart from its calls. */
export interface SessionMeta {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  readonly model?: string;
  readonly provider?: string;
  readonly channel?: string;
  readonly kind?: string;
  readonly main: boolean;
  /** Epoch ms the session was created, when known (else its first call). */
  readonly createdAt?: number;
}

/** The calls of one session generation, in time order, as columns (a million calls stay small). */
export interface Calls {
  readonly length: number;
  readonly at: Float64Array;
  readonly input: Float64Array;
  readonly output: Float64Array;
  readonly cacheRead: Float64Array;
  readonly cacheWrite: Float64Array;
  readonly cost: Float64Array;
  /** Run number within the session (0, 1, …), ascending with time. */
  readonly run: Int32Array;
}

export interface TimelineSession extends SessionMeta {
  readonly calls: Calls;
  /** First and last call index of each run. */
  readonly runs: readonly { readonly first: number; readonly last: number }[];
}

/** Per-call history of a fleet over a period, ready to replay. */
export interface Timeline {
  /** Where it came from, for the report (`gateway ws://…`, `state /var/lib/clawwarden`). */
  readonly origin: string;
  /** The period asked for, epoch ms [from, to). Calls before `from` are history the ledger starts from. */
  readonly from: number;
  readonly to: number;
  readonly sessions: readonly TimelineSession[];
  readonly gaps: readonly Gap[];
}

/** With no run ids and no user turns in the history, a pause this long between two calls starts a new run. */
export const RUN_GAP_MS = 2 * 60_000;

/** Collects one session's calls in any order; `build` sorts them and numbers the runs. */
export class SessionRecorder {
  #at: number[] = [];
  #use: number[] = [];
  #runIds: (string | undefined)[] = [];
  #turns: number[] = [];

  constructor(readonly meta: SessionMeta) {}

  get size(): number {
    return this.#at.length;
  }

  /** One model call; `run` is the platform's run id when it has one. */
  call(at: number, usage: Readonly<Usage>, run?: string): void {
    this.#at.push(at);
    this.#use.push(usage.input, usage.output, usage.cacheRead, usage.cacheWrite, usage.cost);
    this.#runIds.push(run);
  }

  /** A person's (or a channel's) message: the next call starts a new run. */
  turn(at: number): void {
    this.#turns.push(at);
  }

  build(): TimelineSession {
    const n = this.#at.length;
    const order = Array.from({ length: n }, (_, i) => i);
    // Stable: calls with the same time keep the order they were recorded in.
    order.sort((a, b) => this.#at[a]! - this.#at[b]! || a - b);
    const columns = {
      at: new Float64Array(n),
      input: new Float64Array(n),
      output: new Float64Array(n),
      cacheRead: new Float64Array(n),
      cacheWrite: new Float64Array(n),
      cost: new Float64Array(n),
      run: new Int32Array(n),
    };
    const turns = [...this.#turns].sort((a, b) => a - b);
    const ids = this.#runIds.some((r) => r !== undefined);
    const runs: { first: number; last: number }[] = [];
    let t = 0;
    let previousRun: string | undefined;
    order.forEach((from, i) => {
      const at = this.#at[from]!;
      columns.at[i] = at;
      columns.input[i] = this.#use[from * 5]!;
      columns.output[i] = this.#use[from * 5 + 1]!;
      columns.cacheRead[i] = this.#use[from * 5 + 2]!;
      columns.cacheWrite[i] = this.#use[from * 5 + 3]!;
      columns.cost[i] = this.#use[from * 5 + 4]!;
      let fresh = i === 0;
      if (!fresh && ids) fresh = this.#runIds[from] !== previousRun;
      else if (!fresh) {
        let turned = false;
        while (t < turns.length && turns[t]! <= at) {
          if (turns[t]! > columns.at[i - 1]!) turned = true;
          t++;
        }
        fresh = turned || at - columns.at[i - 1]! > RUN_GAP_MS;
      }
      if (fresh) runs.push({ first: i, last: i });
      else runs[runs.length - 1]!.last = i;
      columns.run[i] = runs.length - 1;
      previousRun = this.#runIds[from];
    });
    return { ...this.meta, calls: { length: n, ...columns }, runs };
  }
}

/** Every token call `i` used (`tokens.total` of one call). */
export function callTokens(calls: Calls, i: number): number {
  return totalTokens({ input: calls.input[i]!, output: calls.output[i]!, cacheRead: calls.cacheRead[i]!, cacheWrite: calls.cacheWrite[i]! });
}

/** Usage of calls [first, last] of a session (inclusive). */
export function sumCalls(calls: Calls, first: number, last: number): Usage {
  const u = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
  for (let i = first; i <= last; i++) {
    u.input += calls.input[i]!;
    u.output += calls.output[i]!;
    u.cacheRead += calls.cacheRead[i]!;
    u.cacheWrite += calls.cacheWrite[i]!;
    u.cost += calls.cost[i]!;
  }
  return u;
}
