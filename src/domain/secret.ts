/** A secret value read from env or a file. It renders as `[redacted]` everywhere (logs, JSON, inspect); only `reveal()` gives the value. */
export class Secret {
  readonly #value: string;
  readonly #resolved: boolean;
  /** Where it came from, safe to show: `env:OPENCLAW_GATEWAY_TOKEN`, `file:/run/credentials/...`. */
  readonly origin: string;

  /** `resolved: false` marks a reference checked but not read (`validate --no-secrets`); revealing it throws. */
  constructor(value: string, origin: string, resolved = true) {
    this.#value = value;
    this.#resolved = resolved;
    this.origin = origin;
  }

  /** The value; throws for a secret that was never read, so an unread one can never be sent as an empty token. */
  reveal(): string {
    if (!this.#resolved) throw new Error(`secret ${this.origin} was not read (the config was loaded without secrets)`);
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.origin})`;
  }
}

/** A config value that may be a secret reference. */
export type SecretValue = string | Secret;

/** The plain text of a config value that may be a Secret. */
export function reveal(value: SecretValue | undefined): string | undefined {
  return value instanceof Secret ? value.reveal() : value;
}
