import type { ActionLimit } from './types.js';

/** Defaults of every optional top-level setting; config.example.yaml documents the same values. */
export const DEFAULTS = {
  mode: 'enforce',
  schedule: '* * * * *',
  /** Used when `$STATE_DIRECTORY` (systemd StateDirectory=) is unset; relative to the working directory. */
  stateDir: '.clawwarden',
  listen: '127.0.0.1:9464',
  /** Open sockets on the HTTP server; more are refused at accept. */
  httpMaxConnections: 256,
  /** Concurrent event streams (console tabs); more are answered 503 with Retry-After. */
  httpMaxEventStreams: 32,
  /** A socket must deliver a whole request within this, or it is answered 408 and closed. */
  httpRequestTimeoutMs: 10_000,
  maxActionsPerSweep: 20,
  topSessions: 50,
  journalMaxBytes: 10 * 1024 * 1024,
  journalKeep: 5,
  logLevel: 'info',
} as const;

/** Splits `host:port` (IPv6 as `[::1]:9464`); a reason string when malformed. */
export function parseListen(listen: string): { host: string; port: number } | string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  if (!match) return `"${listen}" is not host:port (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464)`;
  const port = Number(match[2]);
  if (port > 65535) return `port ${port} is out of range 0–65535`;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** `20`, `"10%"`, or a list of both (every limit applies); a reason string when malformed. */
export function parseActionLimits(value: unknown): ActionLimit[] | string {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return 'expected at least one limit';
  const limits: ActionLimit[] = [];
  for (const item of items) {
    if (typeof item === 'number' && Number.isInteger(item) && item >= 0) {
      limits.push({ count: item });
      continue;
    }
    const match = typeof item === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(item) : null;
    if (match && Number(match[1]) <= 100) {
      limits.push({ percent: Number(match[1]) });
      continue;
    }
    return `${JSON.stringify(item)} is not a limit: expected a count of actions (e.g. 20) or a percentage of the sessions (e.g. "10%")`;
  }
  return limits;
}

/** The state directory when the config does not set one: systemd's `$STATE_DIRECTORY` (first entry), else `.clawwarden`. */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const fromSystemd = env['STATE_DIRECTORY']?.split(':')[0];
  return fromSystemd ? fromSystemd : DEFAULTS.stateDir;
}
