import type { Policy } from '../policy/types.js';
import { formatDuration, formatPercent } from '../domain/units.js';
import { formatInterval, type SweepInterval } from './cron.js';
import type { ConfigErrorCode } from './errors.js';
import type { Segment } from './yaml-file.js';

/** A problem with a policy that compiled: an error, or a warning when the policy still does something sensible. */
export interface PolicyFinding {
  readonly code: ConfigErrorCode;
  /** Relative to the policy. */
  readonly path: readonly Segment[];
  readonly message: string;
  readonly severity?: 'warning';
}

/**
 * The checks an operator expects beyond the schema: a `warn` level below 100 %, a `window` that sums something,
 * and a `cooldown` and escalation `after` no shorter than the time between sweeps (`sweep`, when the schedule is valid).
 */
export function checkPolicy(policy: Policy, sweep: SweepInterval | undefined): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  if (policy.warn !== undefined && policy.warn >= 1) {
    findings.push({
      code: 'POLICY',
      path: ['warn'],
      message: `warn ${formatPercent(policy.warn)} is not below 100%: the warning would come with the violation or after it; use a level below 100% (e.g. "80%")`,
    });
  }
  if (policy.window && !policy.condition.usesUsage) {
    findings.push({
      code: 'NO_EFFECT',
      path: ['window'],
      message: 'the window has no effect: it limits the usage that is summed, and no condition in "when" reads usage (tokens, cost, ratio, burn)',
      severity: 'warning',
    });
  }
  if (!sweep) return findings;
  const interval = formatInterval(sweep);
  const ms = sweep.seconds * 1000;
  if (policy.cooldown !== undefined && policy.cooldown < ms) {
    findings.push({
      code: 'BELOW_SWEEP',
      path: ['cooldown'],
      message: `cooldown ${formatDuration(policy.cooldown)} is shorter than the time between sweeps (${interval}): it only spaces out repeats triggered by usage events; every sweep may act again`,
      severity: 'warning',
    });
  }
  policy.escalate.forEach((step, i) => {
    if (step.after >= ms) return;
    findings.push({
      code: 'BELOW_SWEEP',
      path: ['escalate', i, 'after'],
      message: `after ${formatDuration(step.after)} is shorter than the time between sweeps (${interval}): unless a usage event triggers an evaluation sooner, the step runs at the next sweep`,
      severity: 'warning',
    });
  });
  return findings;
}
