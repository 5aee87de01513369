import type { Decision, Measurement, Mode, SessionRef } from '../domain/decision.js';
import type { ActionStatus } from '../domain/action.js';
import type { Notification } from './types.js';

// Pure builders from clawwarden events to notifications: no clock (the caller passes `at`), no I/O.

const PREFIX = '[clawwarden]';

const DONE_VERB: Record<string, string> = {
  stop: 'Stopped',
  kill: 'Killed',
  pause: 'Paused',
  resume: 'Resumed',
  cleanup: 'Cleaned up',
  compact: 'Compacted',
  notify: 'Notified',
};

/** `stop` → `stop`, `cleanup` with archive → `archive`: the verb a person would use. */
function baseVerb(action: string, cleanup?: 'archive' | 'delete'): string {
  return action === 'cleanup' && cleanup ? cleanup : action;
}

function doneVerb(action: string, cleanup?: 'archive' | 'delete'): string {
  if (action === 'cleanup' && cleanup) return cleanup === 'archive' ? 'Archived' : 'Deleted';
  return DONE_VERB[action] ?? `${action[0]?.toUpperCase() ?? ''}${action.slice(1)}`;
}

/**
 * A soft-budget measurement reads `tokens.total 164,000 of 200,000`: the engine's text states the comparison
 * (`164,000 > 200,000`), which is not yet true when only the warn level is reached.
 */
function softText(m: Measurement): string {
  const op = ` ${m.op} `;
  return m.text.includes(op) ? m.text.replace(op, ' of ') : m.text;
}

/** The measurement that best explains a decision: the one closest to (or furthest past) its threshold. */
function headline(measurements: readonly Measurement[], soft = false): string {
  if (measurements.length === 0) return '';
  const best = [...measurements].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0] as Measurement;
  return soft ? softText(best) : best.text;
}

/** `agent:main:loop1` for one target, else the decision's subject (`agent backend`, `fleet`). */
function who(decision: Decision, targets: readonly SessionRef[] = decision.targets): string {
  if (targets.length === 1) return (targets[0] as SessionRef).key;
  if (decision.scope === 'session' && decision.targets.length === 1) return (decision.targets[0] as SessionRef).key;
  const subject = decision.subject.replace(/^session /, '');
  return targets.length > 1 ? `${targets.length} sessions of ${subject}` : subject;
}

function title(subject: string, why: string): string {
  return why ? `${PREFIX} ${subject} — ${why}` : `${PREFIX} ${subject}`;
}

function percent(ratio: number | undefined): string {
  return ratio === undefined ? '?' : `${Math.round(ratio * 100)}%`;
}

/** The lines every decision-based message carries: policy, subject, agent, sessions, measurements, mode. */
function decisionLines(decision: Decision, targets: readonly SessionRef[] = decision.targets): string[] {
  const lines = [`Policy: ${decision.policy} (${decision.scope} scope${decision.step > 0 ? `, escalation step ${decision.step}` : ''})`];
  lines.push(`Subject: ${decision.subject}`);
  const agents = [...new Set(targets.map((t) => t.agent))];
  if (agents.length > 0) lines.push(`Agent: ${agents.join(', ')}`);
  for (const target of targets.slice(0, 20)) {
    lines.push(`Session: ${target.key} (source ${target.source}, generation ${target.generation}${target.active ? ', running' : ''})`);
  }
  if (targets.length > 20) lines.push(`… and ${targets.length - 20} more sessions`);
  for (const m of decision.measurements) {
    const text = decision.kind === 'warn' ? softText(m) : m.text;
    lines.push(`Measured: ${text}${m.ratio !== undefined ? ` (${percent(m.ratio)} of the threshold)` : ''}`);
  }
  lines.push(`Reason: ${decision.reason}`);
  lines.push(`Mode: ${decision.mode}`);
  if (decision.window) lines.push(`Budget window: ${new Date(decision.window.start).toISOString()} – ${new Date(decision.window.end).toISOString()}`);
  return lines;
}

function single(decision: Decision): Pick<Notification, 'source' | 'session' | 'agent'> {
  const target = decision.targets.length === 1 ? decision.targets[0] : undefined;
  const agents = new Set(decision.targets.map((t) => t.agent));
  return {
    ...(target ? { source: target.source, session: target.key } : {}),
    ...(agents.size === 1 ? { agent: [...agents][0] } : {}),
  };
}

/** Soft budget reached (`warn: 80%`): notify only, nothing is done. */
export function warnMessage(decision: Decision, at: number): Notification {
  const worst = [...decision.measurements].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0];
  return {
    kind: 'warn',
    at,
    policy: decision.policy,
    mode: decision.mode,
    measurements: decision.measurements,
    ...single(decision),
    title: title(`Warning: ${who(decision)} at ${percent(worst?.ratio)} of ${decision.policy}`, headline(decision.measurements, true)),
    lines: [...decisionLines(decision), 'Action: none yet (soft budget); the policy acts when the threshold is crossed.'],
    dedupKey: `warn:${decision.id}`,
  };
}

/** A policy's condition holds (or an escalation step came due); lists what the policy will do. */
export function violationMessage(decision: Decision, at: number): Notification {
  const plan = decision.actions.map((a) => (a.action === 'cleanup' ? `cleanup (${a.cleanup})` : a.action)).join(', ');
  const label = decision.kind === 'escalation' ? 'Escalation' : 'Violation';
  return {
    kind: 'violation',
    at,
    policy: decision.policy,
    mode: decision.mode,
    measurements: decision.measurements,
    ...single(decision),
    title: title(`${label}: ${decision.policy} on ${who(decision)}`, headline(decision.measurements)),
    lines: [...decisionLines(decision), `Planned: ${plan || 'nothing'}${decision.mode === 'dry-run' ? ' (dry-run: nothing will be done)' : ''}`],
    dedupKey: `${decision.kind === 'escalation' ? 'escalation' : 'violation'}:${decision.id}`,
  };
}

/** One action of a decision and how it went on each target. */
export interface ActionReport {
  readonly decision: Decision;
  readonly action: string;
  readonly cleanup?: 'archive' | 'delete';
  /** Per target; `would` in dry-run. */
  readonly results: readonly { readonly target: SessionRef; readonly status: ActionStatus | 'would'; readonly detail: string }[];
  readonly mode: Mode;
}

/** An action was carried out (`Stopped …`) or, in dry-run, would have been (`Would stop …`). */
export function actionMessage(report: ActionReport, at: number): Notification {
  const { decision, action } = report;
  const targets = report.results.map((r) => r.target);
  const dry = report.mode === 'dry-run';
  const verb = dry ? `Would ${baseVerb(action, report.cleanup)}` : doneVerb(action, report.cleanup);
  const lines = decisionLines(decision, targets);
  for (const r of report.results) lines.push(`Result: ${r.target.key}: ${r.status}${r.detail ? ` — ${r.detail}` : ''}`);
  lines.push(
    dry ? `Done: nothing (dry-run); in enforce mode clawwarden would ${baseVerb(action, report.cleanup)} ${who(decision, targets)}.` : `Done: ${verb.toLowerCase()} ${who(decision, targets)}.`,
  );
  return {
    kind: 'action',
    at,
    policy: decision.policy,
    action,
    result: dry ? 'would' : 'done',
    mode: report.mode,
    measurements: decision.measurements,
    ...single(decision),
    title: title(`${verb} ${who(decision, targets)}`, headline(decision.measurements)),
    lines,
    dedupKey: `action:${decision.id}:${action}`,
  };
}

/** A session was marked for an action after a notice: nothing is done yet, and an operator can still unmark it. */
export function markMessage(
  report: { readonly decision: Decision; readonly action: string; readonly cleanup?: 'archive' | 'delete'; readonly target: SessionRef; readonly due: number; readonly detail: string },
  at: number,
): Notification {
  const { decision, action, target } = report;
  const verb = baseVerb(action, report.cleanup);
  const when = new Date(report.due).toISOString();
  const lines = decisionLines(decision, [target]);
  lines.push(`Marked: ${report.detail}`);
  lines.push(
    `Done: nothing yet. clawwarden will ${verb} ${target.key} at ${when} if policy ${decision.policy} still matches then; to cancel: clawwarden sessions unmark ${target.key} (or Undo in the console).`,
  );
  return {
    kind: 'marked',
    at,
    policy: decision.policy,
    action,
    result: 'marked',
    mode: decision.mode,
    measurements: decision.measurements,
    ...single(decision),
    source: target.source,
    session: target.key,
    agent: target.agent,
    title: title(`Will ${verb} ${target.key} at ${when} unless unmarked`, headline(decision.measurements)),
    lines,
    dedupKey: `marked:${decision.id}:${action}:${target.key}:${report.due}`,
  };
}

/** An action was refused by the platform or failed in transport. */
export function actionFailedMessage(report: ActionReport, at: number): Notification {
  const { decision, action } = report;
  const failed = report.results.filter((r) => r.status === 'failed' || r.status === 'refused');
  const targets = (failed.length > 0 ? failed : report.results).map((r) => r.target);
  const first = failed[0] ?? report.results[0];
  const lines = decisionLines(decision, targets);
  for (const r of report.results) lines.push(`Result: ${r.target.key}: ${r.status}${r.detail ? ` — ${r.detail}` : ''}`);
  lines.push(`Done: nothing — the ${baseVerb(action, report.cleanup)} did not take effect; check the source and the journal.`);
  return {
    kind: 'action-failed',
    at,
    policy: decision.policy,
    action,
    result: first?.status ?? 'failed',
    mode: report.mode,
    measurements: decision.measurements,
    ...single(decision),
    title: title(`FAILED to ${baseVerb(action, report.cleanup)} ${who(decision, targets)}`, first?.detail ?? headline(decision.measurements)),
    lines,
    dedupKey: `action-failed:${decision.id}:${action}`,
  };
}

/** A source lost its connection; `since` (epoch ms the outage began) keys de-duplication per outage. */
export function sourceDownMessage(input: { readonly source: string; readonly error: string; readonly since: number }, at: number): Notification {
  return {
    kind: 'source-down',
    at,
    source: input.source,
    title: title(`Source ${input.source} is down`, input.error),
    lines: [
      `Source: ${input.source}`,
      `Error: ${input.error}`,
      `Down since: ${new Date(input.since).toISOString()}`,
      'Done: nothing is enforced on this source until it is back and re-synced; clawwarden keeps reconnecting.',
    ],
    dedupKey: `source-down:${input.source}:${input.since}`,
  };
}

/** A source is connected and synced again after an outage. */
export function sourceUpMessage(input: { readonly source: string; readonly downSince?: number }, at: number): Notification {
  const lines = [`Source: ${input.source}`, 'Done: enforcement resumed after a full re-sync.'];
  if (input.downSince !== undefined) lines.splice(1, 0, `Was down: ${Math.round((at - input.downSince) / 1000)} s (since ${new Date(input.downSince).toISOString()})`);
  return {
    kind: 'source-up',
    at,
    source: input.source,
    title: title(`Source ${input.source} is back up`, ''),
    lines,
    dedupKey: `source-up:${input.source}:${input.downSince ?? at}`,
  };
}

/** A sweep wanted more actions than `safety.maxActionsPerSweep` allows, so none were taken. */
export function blastRadiusMessage(
  input: { readonly decisions: readonly Decision[]; readonly actions: number; readonly limit: number; readonly sessions: number; readonly sweepId: string },
  at: number,
): Notification {
  const policies = [...new Set(input.decisions.map((d) => d.policy))];
  const lines = [
    `Wanted: ${input.actions} actions on ${input.sessions} sessions; limit ${input.limit} per sweep.`,
    `Policies: ${policies.join(', ')}`,
    ...input.decisions.slice(0, 20).map((d) => `Decision: ${d.policy} on ${d.subject} — ${d.reason}`),
  ];
  if (input.decisions.length > 20) lines.push(`… and ${input.decisions.length - 20} more decisions`);
  lines.push('Done: nothing. Check the policies (a bad threshold?) and raise safety.maxActionsPerSweep if this is intended.');
  return {
    kind: 'blast-radius',
    at,
    result: 'refused-blast-radius',
    title: title(`Refused ${input.actions} actions`, `blast-radius limit ${input.limit} per sweep exceeded (${policies.slice(0, 3).join(', ')}${policies.length > 3 ? ', …' : ''})`),
    lines,
    dedupKey: `blast-radius:${input.sweepId}`,
  };
}

/** A session's usage stayed unknown past the limit: its usage policies are not evaluated, so a person must look. */
export function usageUnknownMessage(
  input: { readonly source: string; readonly key: string; readonly generation: string; readonly agent: string; readonly since: number; readonly sweeps: number },
  at: number,
): Notification {
  return {
    kind: 'usage-unknown',
    at,
    source: input.source,
    session: input.key,
    agent: input.agent,
    title: title(`Usage of ${input.key} unknown`, `not re-reported by ${input.source} for ${Math.round((at - input.since) / 1000)} s`),
    lines: [
      `Source: ${input.source}`,
      `Session: ${input.key}`,
      `Agent: ${input.agent}`,
      `Unknown since: ${new Date(input.since).toISOString()} (${input.sweeps} sweeps)`,
      'Done: nothing on this session until its usage is known again (clawwarden keeps asking the source every sweep). Escalations already under way continue on their recorded crossing.',
    ],
    dedupKey: `usage-unknown:${input.source}:${input.key}:${input.generation}`,
  };
}

/** A policy threw during an evaluation: it was skipped (not the others) until it evaluates again. */
export function policyErrorMessage(input: { readonly policy: string; readonly subject: string; readonly message: string; readonly since: number }, at: number): Notification {
  return {
    kind: 'policy-error',
    at,
    policy: input.policy,
    title: title(`Policy ${input.policy} failed`, input.message),
    lines: [
      `Policy: ${input.policy}`,
      `While evaluating: ${input.subject}`,
      `Error: ${input.message}`,
      `Since: ${new Date(input.since).toISOString()}`,
      'Done: this policy is skipped in every evaluation where it fails; the other policies go on. Check the policy (and the journal).',
    ],
    dedupKey: `policy-error:${input.policy}:${input.since}`,
  };
}

/** `clawwarden notify test <notifier>`. */
export function testMessage(notifier: string, at: number): Notification {
  return {
    kind: 'test',
    at,
    title: title(`Test message for notifier ${notifier}`, 'delivery works'),
    lines: [`Notifier: ${notifier}`, `Sent: ${new Date(at).toISOString()}`, 'Done: nothing; this is a test sent by `clawwarden notify test`.'],
    dedupKey: `test:${notifier}:${at}`,
  };
}
