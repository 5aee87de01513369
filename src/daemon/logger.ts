import { escapeControl } from '../config/escape.js';
import pino, { type Logger } from 'pino';
import type { ActionOutcomeRecord } from '../enforcer/hooks.js';
import type { Decision, PolicyAction } from '../domain/decision.js';

/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Field paths that may carry a secret in anything we log; pino replaces them before serialising. */
const REDACT = [
  'token',
  '*.token',
  '*.*.token',
  'auth.token',
  'password',
  '*.password',
  '*.*.password',
  'pass',
  '*.pass',
  '*.*.pass',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'url',
  '*.url',
];

/** The process logger: JSON lines to stdout (journald under systemd), pretty when stdout is a terminal, secrets redacted. */
export function createLogger(options: { level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'clawwarden' },
    // Messages quote session keys, reasons and config text from outside: control characters are shown, never obeyed
    // (JSON already escapes C0; this also covers DEL, C1 and the bidi overrides a terminal or a log viewer would honour).
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void): void {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? escapeControl(a) : a)),
        );
      },
    },
  };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (options.pretty ?? process.stdout.isTTY) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  }
  return pino(base);
}

const KIND: Record<Decision['kind'], string> = { violation: 'violation', escalation: 'escalation', warn: 'warning', release: 'release' };

const actionText = (a: PolicyAction): string => (a.action === 'cleanup' ? `cleanup(${a.cleanup})` : a.action);

/**
 * Logs a decision at info, so `journalctl -u clawwarden` and the terminal show what was decided and why:
 * `violation session-token-cap on session agent:backend:x: tokens.total 356,256 > 200,000 (policy …) → notify, stop`.
 */
export function logDecision(log: Logger, decision: Decision): void {
  const actions = decision.actions.map(actionText);
  const step = decision.kind === 'escalation' ? ` step ${decision.step}` : '';
  const dry = decision.mode === 'dry-run' ? ' [dry-run]' : '';
  log.info(
    {
      decision: decision.id,
      policy: decision.policy,
      kind: decision.kind,
      subject: decision.subject,
      mode: decision.mode,
      actions,
      measurements: decision.measurements.map((m) => ({ metric: m.metric, value: m.value, op: m.op, threshold: m.threshold })),
      targets: decision.targets.length,
    },
    `${KIND[decision.kind]}${step}${dry} ${decision.policy} on ${decision.subject}: ${decision.reason}${actions.length > 0 ? ` → ${actions.join(', ')}` : ''}`,
  );
}

/**
 * Logs one action's result: info when it went through (or would have, in dry-run), warn when it failed, was refused
 * or skipped. `stop agent:backend:x: done — aborted run 9f… (policy session-token-cap: tokens.total … > 200,000)`.
 */
export function logAction(log: Logger, outcome: ActionOutcomeRecord): void {
  const key = outcome.target.key;
  const by = outcome.policy !== undefined ? `policy ${outcome.policy}` : `by ${outcome.by}`;
  const why = outcome.reason ? `${by}: ${outcome.reason.replace(/ \(policy [^)]*\)$/, '')}` : by;
  const verb = outcome.status === 'would' ? `would ${outcome.action}` : outcome.action;
  const fields = {
    ...(outcome.policy !== undefined ? { policy: outcome.policy } : {}),
    action: outcome.action,
    session: key,
    agent: outcome.target.agent,
    status: outcome.status,
    mode: outcome.mode,
    by: outcome.by,
    ...(outcome.latencyMs !== undefined ? { latencyMs: Math.round(outcome.latencyMs * 10) / 10 } : {}),
  };
  const text = `${verb} ${key}: ${outcome.status}${outcome.detail ? ` — ${outcome.detail}` : ''} (${why})`;
  if (outcome.status === 'failed' || outcome.status === 'refused') log.warn(fields, text);
  else log.info(fields, text);
}
