import type { PluginModule } from '../plugin.js';
import type { Measurement, Mode } from '../domain/decision.js';

/** Every kind of message clawwarden sends. */
export type NotificationKind = 'warn' | 'violation' | 'action' | 'action-failed' | 'marked' | 'source-down' | 'source-up' | 'blast-radius' | 'usage-unknown' | 'policy-error' | 'test';

/** One message, independent of transport. Never contains a secret. */
export interface Notification {
  readonly kind: NotificationKind;
  /** Epoch ms. */
  readonly at: number;
  /** Inbox-friendly one-liner: `[clawwarden] stopped agent:main:loop1 — tokens.total 231,402 > 200,000`. */
  readonly title: string;
  /** Plain-text lines: policy, session, agent, measurements, thresholds, what was done. */
  readonly lines: readonly string[];
  readonly policy?: string;
  readonly source?: string;
  readonly session?: string;
  readonly agent?: string;
  readonly action?: string;
  readonly result?: string;
  readonly mode?: Mode;
  readonly measurements?: readonly Measurement[];
  /** Same key → delivered once (per notifier), surviving restarts. */
  readonly dedupKey: string;
}

/** A delivery channel. `send` rejects on failure; the queue retries. */
export interface Notifier {
  readonly name: string;
  readonly type: string;
  send(notification: Notification): Promise<void>;
  close?(): Promise<void>;
}

export interface NotifierModule<C = Record<string, unknown>> extends PluginModule {
  create(name: string, config: C): Notifier;
}

/** A notifier entry; `options` validated against the notifier module's schema, secrets resolved. */
export interface NotifierConfig {
  readonly name: string;
  readonly type: string;
  readonly options: Readonly<Record<string, unknown>>;
}
