// The ground floor: what a policy decides, and the enforcement memory that decisions depend on.
import type { ActionName } from './action.js';

export type Scope = 'session' | 'agent' | 'fleet';

export type Mode = 'enforce' | 'dry-run';

export type Comparison = '>' | '>=' | '<' | '<=' | '==';

/**
 * One action in a policy's `do` list (in order). `notice` (ms, actions on sessions only): the session is marked and
 * the action is taken only when the notice has run out and the policy still matches; an operator can unmark it.
 */
export type PolicyAction =
  | { readonly action: 'notify'; readonly notifiers: readonly string[] | 'all' }
  | { readonly action: Exclude<ActionName, 'cleanup'>; readonly notice?: number }
  | { readonly action: 'cleanup'; readonly cleanup: 'archive' | 'delete'; readonly notice?: number };

/** A measured value against a threshold: `tokens.total 231,402 > 200,000`. */
export interface Measurement {
  readonly metric: string;
  readonly value: number;
  readonly op: Comparison | 'is';
  readonly threshold: number;
  /** Human text with units: `tokens.total 231,402 > 200,000`, `cost $26.10 > $25.00`, `idle 3d 4h > 24h`. */
  readonly text: string;
  /** value / threshold for "greater" comparisons (budget use); undefined where meaningless. */
  readonly ratio?: number;
}

/** A session an action will be applied to. */
export interface SessionRef {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  readonly main: boolean;
  readonly active: boolean;
}

/**
 * - violation: a policy's condition holds; its `do` list (step 0) applies.
 * - escalation: a later `escalate` step came due.
 * - warn: the soft budget (`warn: 80%`) was reached; notify only.
 * - release: a pause/hold made by a windowed policy whose window has reset; resume.
 */
export type DecisionKind = 'violation' | 'escalation' | 'warn' | 'release';

/** What the engine concluded, with everything needed to act on it and to explain it. */
export interface Decision {
  /** Deterministic: the same (policy, target generation/window, episode, step) always has the same id — the idempotency key. */
  readonly id: string;
  readonly policy: string;
  readonly kind: DecisionKind;
  readonly scope: Scope;
  /** `session agent:main:loop1`, `agent backend`, `fleet`. */
  readonly subject: string;
  /** Key into EngineState.episodes for this policy+target. */
  readonly stateKey: string;
  readonly targets: readonly SessionRef[];
  /** 0 = the `do` list, n = escalate[n-1]. */
  readonly step: number;
  readonly episode: number;
  readonly actions: readonly PolicyAction[];
  /** One line a person can act on: `tokens.total 231,402 > 200,000 (policy session-token-cap)`. */
  readonly reason: string;
  readonly measurements: readonly Measurement[];
  readonly mode: Mode;
  /** Budget window [start, end) for windowed policies, epoch ms. */
  readonly window?: { readonly start: number; readonly end: number };
}

/** Per policy+target progress, owned by the enforcer, read by the engine. */
export interface Episode {
  /** Increments each time the policy fires anew after a cooldown. */
  readonly episode: number;
  /** Epoch ms step 0 was acted on (escalation `after` counts from here). */
  readonly firedAt: number;
  /** Highest step already acted on (0 = the `do` list). */
  readonly stepDone: number;
  /** Epoch ms until which the policy must not fire again for this target. */
  readonly cooldownUntil?: number;
  /** The measured crossing that started the episode (`tokens.total 42,434 > 40,000`), for escalations decided on it later. */
  readonly crossing?: string;
}

/** A pause or hold clawwarden placed, so it can be explained and undone. */
export interface Hold {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  /** `archive` where the platform could archive; `hold` for main sessions (runs are aborted as they start). */
  readonly kind: 'archive' | 'hold';
  /** What placed it: an action whose traits say it places a hold, i.e. a pause or a kill (older records say so only in `reason`). */
  readonly action?: ActionName;
  readonly policy?: string;
  /** `policy`, `api`, `cli`. */
  readonly by: string;
  readonly reason: string;
  readonly at: number;
  /** Windowed policies: epoch ms the window resets and the hold is released. */
  readonly until?: number;
}

/** Enforcement memory passed into each evaluation. */
export interface EngineState {
  readonly episodes: ReadonlyMap<string, Episode>;
  /** Warn de-dup: stateKey + window/episode ids already warned. */
  readonly warned: ReadonlySet<string>;
  /** By `${source}\u0000${key}`. */
  readonly holds: ReadonlyMap<string, Hold>;
}

/** How much of a policy's budget a subject has used (for metrics and console bars). */
export interface BudgetUse {
  readonly policy: string;
  readonly scope: Scope;
  readonly subject: string;
  readonly source?: string;
  readonly key?: string;
  readonly agent?: string;
  /** max over the policy's "greater than" thresholds of value/threshold. */
  readonly ratio: number;
  /** Fraction at which the policy warns (e.g. 0.8), if it has `warn`. */
  readonly warnAt?: number;
}
