import pino, { type Logger } from 'pino';

/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Field paths that may carry a secret in anything we log; pino replaces them before serialising. */
const REDACT = [
  'token', '*.token', '*.*.token', 'auth.token', 'password', '*.password', '*.*.password', 'pass', '*.pass', '*.*.pass',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'apiKey', '*.apiKey', 'url', '*.url',
];

/** The process logger: JSON lines to stdout (journald under systemd), pretty when stdout is a terminal, secrets redacted. */
export function createLogger(options: { level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const base = { level: options.level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'clawwarden' } };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (options.pretty ?? process.stdout.isTTY) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  }
  return pino(base);
}
