import type { JSONSchemaType } from 'ajv';
import { reveal, type SecretValue } from '../domain/secret.js';
import { NotifierError, scrub } from './errors.js';
import { rateLimitSchema, type RateLimitOption } from './rate-limit.js';
import { secretOptionSchema, type SecretOption } from './secret-option.js';
import type { Notification, Notifier, NotifierModule } from './types.js';

/**
 * `type: email` options. `S` is how a secret is held: a SecretValue once the loader resolved it (what `create` gets),
 * a SecretOption as written (what the schema checks: the loader validates before it resolves secrets).
 */
// A type alias (not an interface) so it is assignable to the index's Record<string, unknown>.
export type EmailConfig<S = SecretValue> = {
  readonly smtp: {
    readonly host: string;
    /** Default 465 with `secure`, else 587 when `requireTLS`, else 25. */
    readonly port?: number;
    /** Implicit TLS from the first byte (port 465). */
    readonly secure?: boolean;
    /** Insist on STARTTLS; fail rather than send in clear. */
    readonly requireTLS?: boolean;
    readonly auth?: { readonly user: S; readonly pass: S };
    readonly tls?: { readonly rejectUnauthorized?: boolean };
    /** Connection, greeting and socket timeout; default 10 s. */
    readonly timeoutMs?: number;
  };
  readonly from: string;
  readonly to: readonly string[];
  /** Prepended to every subject, e.g. `[prod] `. */
  readonly subjectPrefix?: string;
  readonly rateLimit?: RateLimitOption;
};

/** The options as the schema sees them: secrets as written, and the `type` key beside them. */
type EmailOptions = EmailConfig<SecretOption> & { readonly type?: 'email' };

export const name = 'email';
export const description = 'Sends each notification as a plain-text mail over SMTP (implicit TLS or STARTTLS, optional auth).';
export const schema: JSONSchemaType<EmailOptions> = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['email'], nullable: true },
    smtp: {
      type: 'object',
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535, nullable: true },
        secure: { type: 'boolean', nullable: true, description: 'implicit TLS (port 465)' },
        requireTLS: { type: 'boolean', nullable: true, description: 'require STARTTLS' },
        auth: {
          type: 'object',
          nullable: true,
          properties: { user: secretOptionSchema, pass: secretOptionSchema },
          required: ['user', 'pass'],
          additionalProperties: false,
        },
        tls: { type: 'object', nullable: true, properties: { rejectUnauthorized: { type: 'boolean', nullable: true } }, additionalProperties: false },
        timeoutMs: { type: 'integer', minimum: 100, nullable: true },
      },
      required: ['host'],
      additionalProperties: false,
    },
    from: { type: 'string', minLength: 3 },
    to: { type: 'array', items: { type: 'string', minLength: 3 }, minItems: 1 },
    subjectPrefix: { type: 'string', nullable: true },
    rateLimit: { ...rateLimitSchema, nullable: true },
  },
  required: ['smtp', 'from', 'to'],
  additionalProperties: false,
};
export const example = `notifiers:
  ops-email:
    type: email
    smtp:
      host: smtp.example.com
      port: 587
      requireTLS: true
      auth: { user: warden, pass: "\${env:SMTP_PASSWORD}" }
    from: clawwarden@example.com
    to: [ops@example.com]
    subjectPrefix: "[prod] "
    rateLimit: { count: 20, per: 1h }
`;

/** Renders a notification as the plain-text body of a mail. */
export function mailBody(notification: Notification): string {
  return [notification.title, '', ...notification.lines, '', `Sent by clawwarden at ${new Date(notification.at).toISOString()}.`, ''].join('\n');
}

type Nodemailer = (typeof import('nodemailer'))['default'];

let nodemailerModule: Promise<Nodemailer> | undefined;

/** Imports nodemailer once; a failed import is forgotten, so a later send tries again. */
function importNodemailer(): Promise<Nodemailer> {
  nodemailerModule ??= import('nodemailer').then(
    (m) => m.default,
    (error: unknown) => {
      nodemailerModule = undefined;
      throw error;
    },
  );
  return nodemailerModule;
}

/**
 * The SMTP library, imported at the first send: a daemon without an email notifier never loads it (it costs ~15 MB
 * of RSS). A failed import surfaces as this notifier's delivery error, never as a crash.
 */
export async function loadTransport(notifierName: string, load: () => Promise<Nodemailer> = importNodemailer): Promise<Nodemailer> {
  try {
    return await load();
  } catch (error) {
    throw new NotifierError('NOTIFIER_TRANSPORT', `email ${notifierName}: cannot load the SMTP transport (nodemailer): ${errorText(error)}; reinstall clawwarden`);
  }
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An SMTP notifier; credentials are revealed only when a transport is built for one send. */
export function create(notifierName: string, config: EmailConfig): Notifier {
  const smtp = config.smtp;
  const port = smtp.port ?? (smtp.secure ? 465 : smtp.requireTLS ? 587 : 25);
  const timeout = smtp.timeoutMs ?? 10_000;
  return {
    name: notifierName,
    type: name,
    async send(notification: Notification): Promise<void> {
      const nodemailer = await loadTransport(notifierName);
      const user = reveal(smtp.auth?.user);
      const pass = reveal(smtp.auth?.pass);
      const transport = nodemailer.createTransport({
        host: smtp.host,
        port,
        secure: smtp.secure ?? false,
        requireTLS: smtp.requireTLS ?? false,
        ...(user !== undefined && pass !== undefined ? { auth: { user, pass } } : {}),
        tls: { rejectUnauthorized: smtp.tls?.rejectUnauthorized ?? true },
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        logger: false,
      });
      try {
        await transport.sendMail({
          from: config.from,
          to: [...config.to],
          subject: `${config.subjectPrefix ?? ''}${notification.title}`,
          text: mailBody(notification),
          headers: { 'X-Clawwarden-Kind': notification.kind, 'X-Clawwarden-Dedup-Key': notification.dedupKey },
        });
      } catch (error) {
        const err = error as { message?: string; code?: string };
        const code = err.code === 'ETIMEDOUT' ? 'NOTIFIER_TIMEOUT' : 'NOTIFIER_TRANSPORT';
        throw new NotifierError(code, `email ${notifierName}: ${scrub(String(err.message ?? error), [pass, user])}`);
      } finally {
        transport.close();
      }
    },
  };
}

/** The `email` notifier module. */
export const emailNotifier: NotifierModule<EmailConfig> = { name, description, schema, example, create };
