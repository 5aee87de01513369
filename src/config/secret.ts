/** A secret value read from env or a file. It renders as `[redacted]` everywhere (logs, JSON, inspect); only `reveal()` gives the value. */
export class Secret {
  readonly #value: string;
  /** Where it came from, safe to show: `env:OPENCLAW_GATEWAY_TOKEN`, `file:/run/credentials/...`. */
  readonly origin: string;

  constructor(value: string, origin: string) {
    this.#value = value;
    this.origin = origin;
  }

  reveal(): string {
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

export function reveal(value: SecretValue | undefined): string | undefined {
  return value instanceof Secret ? value.reveal() : value;
}
