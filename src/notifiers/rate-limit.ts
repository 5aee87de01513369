import type { JSONSchemaType } from 'ajv';
/** A per-notifier send budget: at most `count` messages per `perMs` milliseconds. */
export interface RateLimit {
  readonly count: number;
  readonly perMs: number;
}

/** 30 messages an hour per notifier: enough for a bad incident, not enough to bury an inbox. */
export const DEFAULT_RATE_LIMIT: RateLimit = { count: 30, perMs: 3_600_000 };

/** The `rateLimit` option as written: `per` is a duration like "10m", or milliseconds. */
export interface RateLimitOption {
  readonly count: number;
  readonly per: string | number;
}

/** JSON schema of the `rateLimit: { count, per }` option every notifier takes. */
export const rateLimitSchema: JSONSchemaType<RateLimitOption> = {
  type: 'object',
  description: 'At most `count` messages per `per` (duration like 10m, 1h, or ms); default 30 per 1h.',
  properties: {
    count: { type: 'integer', minimum: 1 },
    per: {
      anyOf: [
        { type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)$' },
        { type: 'integer', minimum: 1 },
      ],
    },
  },
  required: ['count', 'per'],
  additionalProperties: false,
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Reads a notifier's `rateLimit` option (already schema-validated); the default when absent. */
export function parseRateLimit(option: unknown): RateLimit {
  if (option === undefined || option === null || typeof option !== 'object') return DEFAULT_RATE_LIMIT;
  const { count, per } = option as { count?: unknown; per?: unknown };
  if (typeof count !== 'number' || count < 1) return DEFAULT_RATE_LIMIT;
  if (typeof per === 'number' && per > 0) return { count, perMs: per };
  const match = typeof per === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(per.trim()) : null;
  if (!match) return DEFAULT_RATE_LIMIT;
  return { count, perMs: Number(match[1]) * (UNIT_MS[match[2] as string] as number) };
}
