import type { JSONSchemaType } from 'ajv';
import { reveal, type SecretValue } from '../domain/secret.js';
import { NotifierError, scrub } from './errors.js';
import { rateLimitSchema, type RateLimitOption } from './rate-limit.js';
import { secretOptionSchema, type SecretOption } from './secret-option.js';
import type { Notification, Notifier, NotifierModule } from './types.js';

/**
 * `type: webhook` options. `S` is how a secret is held: a SecretValue once the loader resolved it (what `create` gets),
 * a SecretOption as written (what the schema checks: the loader validates before it resolves secrets).
 */
// A type alias (not an interface) so it is assignable to the index's Record<string, unknown>.
export type WebhookConfig<S = SecretValue> = {
  /** Often a secret itself (Slack incoming-webhook URLs are bearer credentials). */
  readonly url: S;
  /** `json` (default): the whole notification; `slack`: `{ text }`. */
  readonly format?: 'json' | 'slack';
  readonly headers?: Readonly<Record<string, S>>;
  /** Default 10 s. */
  readonly timeoutMs?: number;
  readonly rateLimit?: RateLimitOption;
};

/** The options as the schema sees them: secrets as written, and the `type` key beside them. */
type WebhookOptions = WebhookConfig<SecretOption> & { readonly type?: 'webhook' };

export const name = 'webhook';
export const description = 'POSTs each notification to a URL as JSON, or as Slack-compatible `{text}`, with optional headers.';
export const schema: JSONSchemaType<WebhookOptions> = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['webhook'], nullable: true },
    url: secretOptionSchema,
    format: { type: 'string', enum: ['json', 'slack'], nullable: true },
    headers: { type: 'object', additionalProperties: secretOptionSchema, required: [], nullable: true },
    timeoutMs: { type: 'integer', minimum: 100, nullable: true },
    rateLimit: { ...rateLimitSchema, nullable: true },
  },
  required: ['url'],
  additionalProperties: false,
};
export const example = `notifiers:
  ops-chat:
    type: webhook
    url: "\${env:SLACK_WEBHOOK_URL}"
    format: slack
    timeoutMs: 5000
  pager:
    type: webhook
    url: https://hooks.example.com/clawwarden
    headers: { Authorization: "\${env:PAGER_TOKEN}" }
`;

/** The request body a webhook receives for `notification` in `format`. */
export function webhookBody(notification: Notification, format: 'json' | 'slack'): object {
  const text = [notification.title, ...notification.lines].join('\n');
  if (format === 'slack') return { text };
  return { ...notification, time: new Date(notification.at).toISOString(), text };
}

/** A webhook notifier; a non-2xx answer or a timeout rejects (the queue retries). */
export function create(notifierName: string, config: WebhookConfig): Notifier {
  const format = config.format ?? 'json';
  const timeoutMs = config.timeoutMs ?? 10_000;
  return {
    name: notifierName,
    type: name,
    async send(notification: Notification): Promise<void> {
      const url = reveal(config.url) as string;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'clawwarden' };
      const headerSecrets: string[] = [];
      for (const [key, value] of Object.entries(config.headers ?? {})) {
        headers[key] = reveal(value) as string;
        headerSecrets.push(headers[key]);
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(webhookBody(notification, format)),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        const err = error as Error & { cause?: { message?: string } };
        const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
        const why = timedOut ? `no answer within ${timeoutMs} ms` : (err.cause?.message ?? err.message);
        throw new NotifierError(timedOut ? 'NOTIFIER_TIMEOUT' : 'NOTIFIER_TRANSPORT', `webhook ${notifierName}: ${scrub(why, [url, ...headerSecrets])}`);
      }
      // Drain the body so the connection is released; its text is not echoed (it may reflect our secrets).
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        throw new NotifierError('NOTIFIER_HTTP', `webhook ${notifierName}: HTTP ${response.status}`, response.status);
      }
    },
  };
}

/** The `webhook` notifier module. */
export const webhookNotifier: NotifierModule<WebhookConfig> = { name, description, schema, example, create };
