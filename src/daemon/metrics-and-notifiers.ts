import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { ActionOutcomeRecord, EnforcementHooks } from '../enforcer/hooks.js';
import type { Decision, SessionRef } from '../domain/decision.js';
import type { WardenMetrics } from '../metrics/metrics.js';
import { createNotifiers } from '../notifiers/index.js';
import {
  actionFailedMessage,
  actionMessage,
  blastRadiusMessage,
  markMessage,
  policyErrorMessage,
  sourceDownMessage,
  sourceUpMessage,
  usageUnknownMessage,
  violationMessage,
  warnMessage,
} from '../notifiers/messages.js';
import { NotificationQueue } from '../notifiers/queue.js';
import { logAction, logDecision } from './logger.js';
import type { DaemonOutputs } from './outputs.js';

/**
 * Metrics and notifications, rebuilt for each config. Metrics live as long as the process (passed in); the notification
 * queue is rebuilt on reload because the notifiers may have changed. Notifications go to the notifiers the policy
 * names in its `notify` actions; failures, source outages and blast-radius refusals go to every notifier.
 */
type OutputDeps = { log: Logger; metrics: WardenMetrics; now?: () => number };

/** Outputs for one config, with a fresh notification queue (one-shot uses and tests). */
export function liveOutputs(config: Config, deps: OutputDeps): Promise<DaemonOutputs> {
  return liveOutputsFactory(deps)(config);
}

/** The daemon's outputs factory: each reload's queue continues the previous one's de-dup and rate-limit record. */
export function liveOutputsFactory(deps: OutputDeps): (config: Config) => Promise<DaemonOutputs> {
  let previous: NotificationQueue | undefined;
  return async (config) => {
    // A reload opens the new queue on the old one's de-dup and rate-limit record, so nothing is sent twice meanwhile.
    const queue = await NotificationQueue.open({
      notifiers: createNotifiers(config.notifiers),
      stateDir: config.stateDir,
      log: deps.log.child({ component: 'notifications' }),
      onResult: (notifier, result) => deps.metrics.recordNotification(notifier, result),
      ...(deps.now ? { now: deps.now } : {}),
      ...(previous ? { previous } : {}),
    });
    previous = queue;
    return outputsFor(config, queue, deps);
  };
}

function outputsFor(config: Config, queue: NotificationQueue, deps: OutputDeps): DaemonOutputs {
  const { metrics } = deps;
  const now = deps.now ?? Date.now;
  metrics.declare({ policies: config.policies.map((p) => p.name), notifiers: config.notifiers.map((n) => n.name) });
  const downSince = new Map<string, number>();

  const hooks: EnforcementHooks = {
    decided(decision, notifiers) {
      logDecision(deps.log, decision);
      if (decision.kind === 'violation' || decision.kind === 'escalation') metrics.recordViolation(decision.policy);
      if (!notifiers) return;
      if (decision.kind === 'warn') queue.enqueue(warnMessage(decision, now()), notifiers);
      else if (decision.kind === 'violation' || decision.kind === 'escalation') queue.enqueue(violationMessage(decision, now()), notifiers);
    },
    acted(outcome) {
      logAction(deps.log, outcome);
      const result = outcome.status;
      metrics.recordAction({ policy: outcome.policy ?? 'manual', action: outcome.action, result, mode: outcome.mode });
      if (outcome.latencyMs !== undefined) metrics.observeLatency(outcome.latencyMs / 1000);
      if (!outcome.decision) return;
      if (result === 'marked') {
        // A notice is for people: with no notifier named by the policy it goes to all of them.
        const cleanup = outcome.decision.actions.find((a) => a.action === 'cleanup');
        queue.enqueue(
          markMessage(
            {
              decision: outcome.decision,
              action: outcome.action,
              ...(cleanup?.action === 'cleanup' && outcome.action === 'cleanup' ? { cleanup: cleanup.cleanup } : {}),
              target: outcome.target,
              due: outcome.due ?? now(),
              detail: outcome.detail,
            },
            now(),
          ),
          outcome.notifiers ?? 'all',
        );
        return;
      }
      const report = reportOf(outcome, outcome.decision, result);
      if (result === 'failed' || result === 'refused') queue.enqueue(actionFailedMessage(report, now()), outcome.notifiers ?? 'all');
      else if (outcome.notifiers) queue.enqueue(actionMessage(report, now()), outcome.notifiers);
    },
    refused(decisions, planned, limit, sessions) {
      deps.log.warn(
        { policies: [...new Set(decisions.map((d) => d.policy))], planned, limit, sessions },
        `blast radius: ${planned} actions planned over ${sessions} sessions, above the limit of ${limit}; nothing was done (${decisions.map((d) => `${d.policy} ${d.subject}`).join('; ')})`,
      );
      for (const d of decisions) {
        for (const a of d.actions) {
          if (a.action !== 'notify') metrics.recordAction({ policy: d.policy, action: a.action, result: 'refused-blast-radius', mode: d.mode });
        }
      }
      queue.enqueue(
        blastRadiusMessage(
          {
            decisions,
            actions: planned,
            limit,
            sessions,
            sweepId: decisions
              .map((d) => d.id)
              .sort()
              .join(','),
          },
          now(),
        ),
        'all',
      );
    },
  };

  return {
    hooks,
    sourceChanged(name, up, error) {
      metrics.setSourceUp(name, up);
      if (!up && !downSince.has(name)) {
        downSince.set(name, now());
        queue.enqueue(sourceDownMessage({ source: name, error: error ?? 'disconnected', since: now() }, now()), 'all');
      } else if (up && downSince.has(name)) {
        const since = downSince.get(name);
        downSince.delete(name);
        queue.enqueue(sourceUpMessage({ source: name, ...(since !== undefined ? { downSince: since } : {}) }, now()), 'all');
      }
    },
    usageUnknown: (unknown) => queue.enqueue(usageUnknownMessage(unknown, now()), 'all'),
    policyFailed(error, first, since) {
      metrics.recordPolicyError(error.policy);
      if (first) queue.enqueue(policyErrorMessage({ ...error, since }, now()), 'all');
    },
    evaluated: (seconds) => metrics.observeEvaluation(seconds),
    sweepSucceeded: (at) => metrics.sweepSucceeded(at),
    // The metrics pull the fleet at scrape time; nothing to push.
    fleet: () => undefined,
    render: () => metrics.render(),
    contentType: metrics.contentType,
    close: () => queue.close(5_000),
  };
}

function reportOf(outcome: ActionOutcomeRecord, decision: Decision, status: Exclude<ActionOutcomeRecord['status'], 'marked'>): Parameters<typeof actionMessage>[0] {
  const target: SessionRef = {
    source: outcome.target.source,
    key: outcome.target.key,
    generation: outcome.target.generation,
    agent: outcome.target.agent,
    main: outcome.target.main,
    active: outcome.target.active,
  };
  return { decision, action: outcome.action, results: [{ target, status, detail: outcome.detail }], mode: outcome.mode };
}
