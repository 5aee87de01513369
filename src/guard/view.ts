import type { WireGuardStatus, WireVerdict } from './protocol.js';

/** One source's in-gateway guard as the daemon sees it (for /readyz, the console, `sessions list` and metrics). */
export interface GuardStatus {
  readonly source: string;
  /** A guard holds its verdict stream open right now. */
  readonly up: boolean;
  readonly connections: number;
  /** Epoch ms the current stream opened, or the last one closed when down. */
  readonly since?: number;
  readonly guardVersion?: string;
  readonly gatewayVersion?: string;
  /** The guard runs on a gateway version it was tested with, and can abort runs there. */
  readonly compatible?: boolean;
  /** Something an operator should act on (a version mismatch, no guard connected while hard caps depend on it). */
  readonly problem?: string;
  readonly blocked: number;
  readonly refused: number;
  readonly usageRecords: number;
  readonly lastReportAt?: number;
  /** Hook handler time in the gateway, microseconds, as the guard last reported. */
  readonly hooks?: { readonly calls: number; readonly p50us: number; readonly p99us: number; readonly maxUs: number };
  /** Usage records the guard holds because it could not deliver them. */
  readonly pending?: number;
}

/** What the daemon exposes about its guards (set on the daemon by the composition root when `guard:` is configured). */
export interface GuardView {
  status(): readonly GuardStatus[];
  /** The verdict last pushed for a session, if its source has a guard. */
  verdict(source: string, key: string): WireVerdict | undefined;
}

/** What the daemon knows about one source's guard, for statusOf. */
export interface GuardFacts {
  readonly connections: number;
  readonly since?: number;
  readonly peer?: { readonly version: string; readonly gatewayVersion: string };
  readonly status?: WireGuardStatus;
  readonly lastReportAt?: number;
  readonly blocked: number;
  readonly refused: number;
  readonly usageRecords: number;
}

/** One source's guard status, with the problem an operator should act on (no guard while hard caps need one, a version mismatch). */
export function statusOf(source: string, s: GuardFacts, hardPolicies: readonly string[], version: string): GuardStatus {
  const up = s.connections > 0;
  const compatible = s.status?.compatible;
  const problem = !up
    ? hardPolicies.length > 0
      ? `no guard connected: hard caps of ${hardPolicies.join(', ')} fall back to the external stop`
      : 'no guard connected'
    : s.peer && s.peer.version !== version
      ? `guard ${s.peer.version} differs from clawwarden ${version}: reinstall it (clawwarden openclaw install-guard)`
      : compatible === false
        ? `the guard was not tested with OpenClaw ${s.peer?.gatewayVersion ?? '?'}`
        : undefined;
  return {
    source,
    up,
    connections: s.connections,
    ...(s.since !== undefined ? { since: s.since } : {}),
    ...(s.peer ? { guardVersion: s.peer.version, gatewayVersion: s.peer.gatewayVersion } : {}),
    ...(compatible !== undefined ? { compatible } : {}),
    ...(problem ? { problem } : {}),
    blocked: s.blocked,
    refused: s.refused,
    usageRecords: s.usageRecords,
    ...(s.lastReportAt !== undefined ? { lastReportAt: s.lastReportAt } : {}),
    ...(s.status ? { hooks: s.status.hooks, pending: s.status.pending } : {}),
  };
}
