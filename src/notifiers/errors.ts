/** A delivery failure; the message names the notifier and never contains a secret (URL, password). */
export class NotifierError extends Error {
  readonly code: 'NOTIFIER_HTTP' | 'NOTIFIER_TRANSPORT' | 'NOTIFIER_TIMEOUT' | 'NOTIFIER_CONFIG';
  /** HTTP status for webhook failures. */
  readonly status?: number;

  constructor(code: NotifierError['code'], message: string, status?: number) {
    super(message);
    this.name = 'NotifierError';
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}

/** Replaces every occurrence of each secret in `text` with `[redacted]`, so transport errors never leak them. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
