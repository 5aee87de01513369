import type { WireVerdict } from './protocol.js';

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
