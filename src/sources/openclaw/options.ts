import type { SecretValue } from '../../domain/secret.js';

/** The `openclaw` source's options, after the config loader resolved secrets. */
export interface OpenClawOptions {
  url?: string;
  token?: SecretValue;
  discover?: boolean;
  requestTimeoutMs?: number;
  reconnect?: { minMs?: number; maxMs?: number };
  /** How long `usage()` waits for OpenClaw's usage cache to finish refreshing. */
  usageWaitMs?: number;
}
