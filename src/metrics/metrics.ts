import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Mode } from '../domain/decision.js';
import type { NotificationResult } from '../notifiers/queue.js';
import type { ActionStatus } from '../domain/action.js';
import { FleetAggregator, type FleetSnapshot } from './fleet-snapshot.js';

export type { FleetSnapshot } from './fleet-snapshot.js';

/**
 * `result` label of `clawwarden_actions_total`: the platform's answer, `would` in dry-run, and
 * `refused-blast-radius` when `safety.maxActionsPerSweep` stopped the whole sweep (the alert rule keys on it).
 */
export type ActionMetricResult = ActionStatus | 'would' | 'marked' | 'refused-blast-radius';

/** Minimal logger (pino-compatible). */
export interface MetricsLog {
  warn(o: object, msg?: string): void;
}

export interface MetricsOptions {
  /** How many sessions get `clawwarden_session_tokens` series (the only family with session keys). */
  readonly topSessions: number;
  readonly version: string;
  /** Pulled at every scrape when given, so the figures are as fresh as the scrape; a throw keeps the last good ones. */
  readonly fleet?: () => FleetSnapshot;
  readonly log?: MetricsLog;
  /** process_* and nodejs_* families; default true. */
  readonly processMetrics?: boolean;
}

/** clawwarden's metrics, owning their own Registry; the daemon calls the record/observe methods, `/metrics` calls `render`. */
export interface WardenMetrics {
  readonly registry: Registry;
  /** `Content-Type` of `render()`'s output. */
  readonly contentType: string;
  /** Replaces the fleet-derived series (sessions, agent counters, budgets, top-N session tokens). */
  updateFleet(snapshot: FleetSnapshot): void;
  recordViolation(policy: string): void;
  /** A policy threw in an evaluation and was skipped for it. */
  recordPolicyError(policy: string): void;
  recordAction(entry: { readonly policy: string; readonly action: string; readonly result: ActionMetricResult; readonly mode: Mode }): void;
  /** Usage event → action acknowledged by the platform, in seconds. */
  observeLatency(seconds: number): void;
  /** One engine evaluation (sweep or event-driven), in seconds. */
  observeEvaluation(seconds: number): void;
  /** A full sweep completed; `at` is epoch ms. */
  sweepSucceeded(at: number): void;
  setSourceUp(source: string, up: boolean): void;
  recordNotification(notifier: string, result: NotificationResult): void;
  /** Creates zero-valued series so the first increment is visible to `increase()` in alert rules. */
  declare(names: { readonly policies?: readonly string[]; readonly notifiers?: readonly string[] }): void;
  /** The exposition text; a failing family is logged and left out, never failing the scrape. */
  render(): Promise<string>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const EVALUATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const NOTIFICATION_RESULTS: readonly NotificationResult[] = ['sent', 'error', 'deduplicated', 'rate-limited'];

/** Builds the metric families of DESIGN.md §6 in a fresh Registry (never the global one). */
export function createMetrics(options: MetricsOptions): WardenMetrics {
  const registry = new Registry();
  const registers = [registry];
  const aggregator = new FleetAggregator(options.topSessions);
  let pulled = false;

  const sessions = new Gauge({ name: 'clawwarden_sessions', help: 'Sessions watched, by source, agent and display state.', labelNames: ['source', 'agent', 'state'], registers });
  const agentTokens = new Counter({
    name: 'clawwarden_agent_tokens_total',
    help: "Tokens used by each agent's sessions since clawwarden started watching, by type.",
    labelNames: ['source', 'agent', 'type'],
    registers,
  });
  const agentCost = new Counter({
    name: 'clawwarden_agent_cost_usd_total',
    help: "Cost in USD of each agent's sessions since clawwarden started watching.",
    labelNames: ['source', 'agent'],
    registers,
  });
  const budget = new Gauge({
    name: 'clawwarden_budget_used_ratio',
    help: "Share of a policy's budget used (1 = threshold reached): the worst session for scope=session, per agent for scope=agent, the fleet for scope=fleet.",
    labelNames: ['policy', 'scope', 'agent'],
    registers,
  });
  const violations = new Counter({
    name: 'clawwarden_policy_violations_total',
    help: "Times a policy's condition was found violated (new episodes and escalations).",
    labelNames: ['policy'],
    registers,
  });
  const policyErrors = new Counter({
    name: 'clawwarden_policy_errors_total',
    help: 'Evaluations in which a policy failed (threw) and was skipped; the other policies went on.',
    labelNames: ['policy'],
    registers,
  });
  const actions = new Counter({
    name: 'clawwarden_actions_total',
    help: 'Enforcement actions by policy, action, result (done, noop, refused, failed, would, marked, refused-blast-radius) and mode.',
    labelNames: ['policy', 'action', 'result', 'mode'],
    registers,
  });
  const latency = new Histogram({ name: 'clawwarden_enforcement_latency_seconds', help: 'Time from the usage event to the platform acknowledging the action.', buckets: LATENCY_BUCKETS, registers });
  const evaluation = new Histogram({ name: 'clawwarden_evaluation_duration_seconds', help: 'Duration of one policy evaluation.', buckets: EVALUATION_BUCKETS, registers });
  const lastSweep = new Gauge({ name: 'clawwarden_last_sweep_success_timestamp_seconds', help: 'Unix time of the last sweep that completed.', registers });
  const sourceUp = new Gauge({ name: 'clawwarden_source_up', help: '1 when the source is connected and synced, else 0.', labelNames: ['source'], registers });
  const notifications = new Counter({
    name: 'clawwarden_notifications_total',
    help: 'Notifications by notifier and result (sent, error, deduplicated, rate-limited).',
    labelNames: ['notifier', 'result'],
    registers,
  });
  const sessionTokens = new Gauge({
    name: 'clawwarden_session_tokens',
    help: `Tokens of the top ${options.topSessions} sessions by total tokens, by type.`,
    labelNames: ['source', 'agent', 'session', 'type'],
    registers,
  });
  const usageUnknown = new Gauge({
    name: 'clawwarden_sessions_usage_unknown',
    help: 'Sessions whose usage the source has not (re-)reported: policies needing usage are not evaluated on them.',
    labelNames: ['source'],
    registers,
  });
  const buildInfo = new Gauge({ name: 'clawwarden_build_info', help: 'Always 1; labels carry the clawwarden and Node.js versions.', labelNames: ['version', 'node'], registers });
  buildInfo.set({ version: options.version, node: process.version }, 1);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  // Session counts from the previous update, so a scrape touches only the series that changed.
  let previousStates = new Map<string, { labels: { source: string; agent: string; state: string }; count: number }>();

  function updateFleet(snapshot: FleetSnapshot): void {
    const figures = aggregator.fold(snapshot);
    const states = new Map<string, { labels: { source: string; agent: string; state: string }; count: number }>();
    for (const c of figures.states) {
      const id = `${c.source}\u0000${c.agent}\u0000${c.state}`;
      const entry = { labels: { source: c.source, agent: c.agent, state: c.state }, count: c.count };
      states.set(id, entry);
      if (previousStates.get(id)?.count !== c.count) sessions.set(entry.labels, c.count);
    }
    for (const [id, entry] of previousStates) if (!states.has(id)) sessions.remove(entry.labels);
    previousStates = states;

    // Counters only ever grow by what the fold measured since the last update (zero for a newly seen agent).
    for (const g of figures.growth) {
      const labels = { source: g.source, agent: g.agent };
      agentTokens.inc({ ...labels, type: 'input' }, g.input);
      agentTokens.inc({ ...labels, type: 'output' }, g.output);
      agentTokens.inc({ ...labels, type: 'cache_read' }, g.cacheRead);
      agentTokens.inc({ ...labels, type: 'cache_write' }, g.cacheWrite);
      agentCost.inc(labels, g.cost);
    }

    if (snapshot.usageUnknown) {
      usageUnknown.reset();
      for (const [source, count] of snapshot.usageUnknown) usageUnknown.set({ source }, count);
      for (const source of new Set(snapshot.sessions.map((s) => s.session.source))) if (!snapshot.usageUnknown.has(source)) usageUnknown.set({ source }, 0);
    }

    budget.reset();
    for (const b of figures.budgets) budget.set({ policy: b.policy, scope: b.scope, ...(b.agent !== undefined ? { agent: b.agent } : {}) }, b.ratio);

    sessionTokens.reset();
    for (const view of figures.top) {
      const s = view.session;
      const labels = { source: s.source, agent: s.agent, session: s.key };
      sessionTokens.set({ ...labels, type: 'input' }, view.usage.input);
      sessionTokens.set({ ...labels, type: 'output' }, view.usage.output);
      sessionTokens.set({ ...labels, type: 'cache_read' }, view.usage.cacheRead);
      sessionTokens.set({ ...labels, type: 'cache_write' }, view.usage.cacheWrite);
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    updateFleet,
    recordViolation: (policy) => violations.inc({ policy }),
    recordPolicyError: (policy) => policyErrors.inc({ policy }),
    recordAction: ({ policy, action, result, mode }) => actions.inc({ policy, action, result, mode }),
    observeLatency: (seconds) => latency.observe(seconds),
    observeEvaluation: (seconds) => evaluation.observe(seconds),
    sweepSucceeded: (at) => lastSweep.set(at / 1000),
    setSourceUp: (source, up) => sourceUp.set({ source }, up ? 1 : 0),
    recordNotification: (notifier, result) => notifications.inc({ notifier, result }),
    declare({ policies = [], notifiers = [] }) {
      for (const policy of policies) {
        violations.inc({ policy }, 0);
        policyErrors.inc({ policy }, 0);
      }
      for (const notifier of notifiers) for (const result of NOTIFICATION_RESULTS) notifications.inc({ notifier, result }, 0);
    },
    async render(): Promise<string> {
      if (options.fleet) {
        try {
          updateFleet(options.fleet());
          pulled = true;
        } catch (error) {
          // Keep the last good fleet series rather than failing the scrape (node_exporter style).
          options.log?.warn({ collector: 'fleet', stale: pulled, err: (error as Error).message }, 'metrics collector failed; serving the last good values');
        }
      }
      const parts: string[] = [];
      for (const metric of registry.getMetricsAsArray()) {
        try {
          parts.push(await registry.getSingleMetricAsString(metric.name));
        } catch (error) {
          options.log?.warn({ collector: metric.name, err: (error as Error).message }, 'metrics collector failed; family left out of this scrape');
        }
      }
      return `${parts.join('\n\n')}\n`;
    },
  };
}
