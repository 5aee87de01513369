import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from './errors.js';

/** Largest JSON body a write accepts; every write body here is a handful of small fields. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Query parameters as single strings; rejects keys outside `allowed` and repeated keys with a 400 that lists the allowed ones. */
export function queryParams(search: URLSearchParams, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of search) {
    if (!allowed.includes(key)) {
      throw badRequest(allowed.length === 0 ? `unknown query parameter "${key}"; this route takes none` : `unknown query parameter "${key}"; allowed: ${allowed.join(', ')}`, { allowed });
    }
    if (out.has(key)) throw badRequest(`query parameter "${key}" given more than once`, { allowed });
    out.set(key, value);
  }
  return out;
}

/** Reads a JSON object body (empty body = `{}`) and rejects keys outside `allowed`. */
export async function jsonBody(req: IncomingMessage, allowed: readonly string[]): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'];
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  if (type === undefined || !/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as Content-Type: application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('body must be a JSON object', { allowed });
  }
  const body = parsed as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(`unknown body key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`, { allowed });
  }
  return body;
}

/** `true`/`false` (also `1`/`0`) from a query string. */
export function parseBoolean(name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badRequest(`${name} must be true or false, got "${value}"`);
}

/** A non-negative count with optional `_` separators and `k`/`M` suffix: `200000`, `200k`, `1.5M`. */
export function parseCount(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(value.replaceAll('_', ''));
  if (!m) throw badRequest(`${name} must be a non-negative number like 200000, 200k or 1.5M, got "${value}"`);
  const factor = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
  return Math.round(Number(m[1]) * factor);
}

/** An integer in [min, max]. */
export function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value)) throw badRequest(`${name} must be an integer, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw badRequest(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** A positive duration in ms from `90s`, `1h`, `1h30m`, `7d` (the policy language's units). */
export function parseDuration(name: string, value: unknown): number {
  if (typeof value !== 'string' || !/^(\d+(ms|s|m|h|d|w))+$/.test(value)) {
    throw badRequest(`${name} must be a duration like 30m, 1h, 1h30m or 7d, got ${JSON.stringify(value)}`);
  }
  let total = 0;
  for (const m of value.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  if (total <= 0) throw badRequest(`${name} must be longer than zero, got "${value}"`);
  return total;
}

/** An instant as epoch ms or an ISO 8601 timestamp. */
export function parseInstant(name: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const t = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) throw badRequest(`${name} must be epoch milliseconds or an ISO timestamp like 2026-01-31T12:00:00Z, got "${value}"`);
  return t;
}

/** A value from a fixed list. */
export function parseChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw badRequest(`${name} must be one of: ${choices.join(', ')}; got ${JSON.stringify(value)}`, { allowedValues: choices });
}

/** An optional boolean body field. */
export function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** An optional non-empty string body field. */
export function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 512) {
    throw badRequest(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}
