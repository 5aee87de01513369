import type { Session } from '../domain/session.js';
import type { Comparison, Mode, PolicyAction, Scope } from '../domain/decision.js';

export type { Comparison, Mode, PolicyAction, Scope };

/** `window: { every: day, at: "00:00", tz: Europe/Berlin }`. */
export interface BudgetWindow {
  readonly every: 'day' | 'week' | 'month';
  /** `HH:MM` local time in `tz` the window starts. */
  readonly at: string;
  /** IANA zone; default UTC. */
  readonly tz: string;
}

export interface EscalationStep {
  /** Grace period in ms after step 0 was acted on. */
  readonly after: number;
  /** `active`: only if the session is still running then. */
  readonly ifActive: boolean;
  readonly actions: readonly PolicyAction[];
}

/** Where a policy was declared, for messages. */
export interface PolicyOrigin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `policies[2]`. */
  readonly path: string;
}

/** A validated, compiled policy: everything the engine needs, nothing parsed at evaluation time. */
export interface Policy {
  readonly name: string;
  readonly description?: string;
  readonly scope: Scope;
  readonly window?: BudgetWindow;
  /** Compiled `match` (globs, lists, exclude). */
  readonly matches: (session: Session) => boolean;
  /** Compiled `when`; see conditions/. */
  readonly condition: import('../conditions/types.js').CompiledCondition;
  readonly actions: readonly PolicyAction[];
  readonly escalate: readonly EscalationStep[];
  /** ms. */
  readonly cooldown?: number;
  /** Fraction, e.g. 0.8. */
  readonly warn?: number;
  /** Overrides the global mode when set. */
  readonly mode?: Mode;
  /** May act on protected sessions (stop only; kill/cleanup never). */
  readonly allowProtected: boolean;
  /** `hard: true` on a token or cost cap: the in-gateway guard stops the session before its projected next call would cross it. */
  readonly hard?: boolean;
  /** `tree: true` (session scope): usage conditions measure the session plus every session it spawned, transitively. */
  readonly tree?: boolean;
  /** The policy as written (after defaults), for `clawwarden policies` and the API. */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly origin: PolicyOrigin;
}
