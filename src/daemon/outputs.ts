import type { EnforcementHooks } from '../enforcer/hooks.js';
import type { BudgetUse } from '../domain/decision.js';
import type { PolicyError } from '../engine/types.js';
import type { SessionView } from '../http/view.js';
import type { UnknownUsage } from './usage-watch.js';

/** Everything the daemon reports outward besides the journal: metrics and notifications. Implementations never throw. */
export interface DaemonOutputs {
  readonly hooks: EnforcementHooks;
  sourceChanged(name: string, up: boolean, error?: string): void;
  evaluated(seconds: number, trigger: 'sweep' | 'event' | 'resync' | 'timer'): void;
  sweepSucceeded(at: number): void;
  fleet(sessions: readonly SessionView[], aggregates: readonly BudgetUse[]): void;
  /** A session's usage stayed unknown past the limit: notify (fail safe is an alert, never silence). */
  usageUnknown?(unknown: UnknownUsage): void;
  /** A policy threw and was skipped in one evaluation; `first` when it was evaluating cleanly before (notify once). */
  policyFailed?(error: PolicyError, first: boolean, since: number): void;
  /** Prometheus text for /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
  close(): Promise<void>;
}
