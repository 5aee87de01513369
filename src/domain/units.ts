import type { Comparison } from './decision.js';

/** Why a unit-bearing value was rejected; `message` says what was found and what is allowed. */
export class UnitError extends Error {
  override readonly name = 'UnitError';
  constructor(
    readonly code: 'E_UNIT_COUNT' | 'E_UNIT_MONEY' | 'E_UNIT_DURATION' | 'E_UNIT_PERCENT' | 'E_UNIT_RATIO' | 'E_UNIT_THRESHOLD' | 'E_UNIT_NEGATIVE',
    message: string,
  ) {
    super(message);
  }
}

/** What kind of quantity a threshold compares. */
export type Quantity = 'count' | 'money' | 'duration' | 'ratio';

/** `> 200k` → { op: '>', value: 200000 }. */
export interface Threshold {
  readonly op: Comparison;
  readonly value: number;
}

const COUNT_HINT = 'expected a token count like "200k", "1.5M" or "1_000"';
const MONEY_HINT = 'expected an amount in dollars like "$25" or "$0.50"';
const DURATION_HINT = 'expected a duration like "90s", "30m", "1h", "7d", "2w" or "1h30m"';
const PERCENT_HINT = 'expected a percentage like "80%" or a fraction like 0.8';
const RATIO_HINT = 'expected a plain number like 40 or "2.5"';
const HINTS: Record<Quantity, string> = { count: COUNT_HINT, money: MONEY_HINT, duration: DURATION_HINT, ratio: RATIO_HINT };

const MULTIPLIER: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9 };
const DURATION_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

function shown(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
}

function negative(raw: unknown, hint: string): UnitError {
  return new UnitError('E_UNIT_NEGATIVE', `found ${shown(raw)}: negative values make no sense here; ${hint}`);
}

// `1_000`, `1.5`, `200` — underscores only between digits, as in JS numeric literals.
const NUMBER = String.raw`(\d+(?:_\d+)*(?:\.\d+)?)`;
const COUNT_RE = new RegExp(`^${NUMBER}([kKMBG]?)$`);
const MONEY_RE = new RegExp(`^\\$${NUMBER}([kKM]?)$`);
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

function num(digits: string): number {
  return Number(digits.replace(/_/g, ''));
}

/** Parses a token/call count: `200k`, `1.5M`, `1_000`, `42`, or a non-negative number. */
export function parseCount(raw: unknown): number {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new UnitError('E_UNIT_COUNT', `found ${shown(raw)}: ${COUNT_HINT}`);
    if (raw < 0) throw negative(raw, COUNT_HINT);
    return raw;
  }
  if (typeof raw !== 'string') throw new UnitError('E_UNIT_COUNT', `found ${shown(raw)}: ${COUNT_HINT}`);
  const text = raw.trim();
  if (text.startsWith('-')) throw negative(raw, COUNT_HINT);
  const m = COUNT_RE.exec(text);
  if (!m) throw new UnitError('E_UNIT_COUNT', `found ${shown(raw)}: ${COUNT_HINT}`);
  return Math.round(num(m[1]!) * MULTIPLIER[m[2]!]! * 1e6) / 1e6;
}

/** Parses dollars: `$25`, `$0.50`, `$1_000`, `$1.5k`. A bare number is rejected: the `$` says it is money. */
export function parseMoney(raw: unknown): number {
  if (typeof raw === 'number') {
    throw new UnitError('E_UNIT_MONEY', `found ${shown(raw)} without a unit: ${MONEY_HINT} (write "$${raw}")`);
  }
  if (typeof raw !== 'string') throw new UnitError('E_UNIT_MONEY', `found ${shown(raw)}: ${MONEY_HINT}`);
  const text = raw.trim();
  if (text.startsWith('-') || text.startsWith('$-')) throw negative(raw, MONEY_HINT);
  const m = MONEY_RE.exec(text);
  if (!m) {
    const bare = COUNT_RE.test(text) ? ` (write "$${text}")` : '';
    throw new UnitError('E_UNIT_MONEY', `found ${shown(raw)}: ${MONEY_HINT}${bare}`);
  }
  return num(m[1]!) * MULTIPLIER[m[2]!]!;
}

/** Parses a duration to ms: `90s`, `30m`, `1h`, `7d`, `2w`, compounds like `1h30m`. A bare number is rejected. */
export function parseDuration(raw: unknown): number {
  if (typeof raw === 'number') {
    throw new UnitError('E_UNIT_DURATION', `found ${shown(raw)} without a unit: ${DURATION_HINT}`);
  }
  if (typeof raw !== 'string') throw new UnitError('E_UNIT_DURATION', `found ${shown(raw)}: ${DURATION_HINT}`);
  const text = raw.trim().replace(/\s+/g, '');
  if (text.startsWith('-')) throw negative(raw, DURATION_HINT);
  if (text === '') throw new UnitError('E_UNIT_DURATION', `found ${shown(raw)}: ${DURATION_HINT}`);
  DURATION_PART_RE.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = DURATION_PART_RE.exec(text); m; m = DURATION_PART_RE.exec(text)) {
    total += Number(m[1]) * DURATION_MS[m[2]!]!;
    consumed = DURATION_PART_RE.lastIndex;
  }
  if (consumed !== text.length) throw new UnitError('E_UNIT_DURATION', `found ${shown(raw)}: ${DURATION_HINT}`);
  return total;
}

/** Parses `80%` → 0.8, or a fraction in (0, 1] → itself. */
export function parsePercent(raw: unknown): number {
  if (typeof raw === 'number') {
    if (raw < 0) throw negative(raw, PERCENT_HINT);
    if (!(raw > 0 && raw <= 1)) throw new UnitError('E_UNIT_PERCENT', `found ${shown(raw)}: ${PERCENT_HINT}`);
    return raw;
  }
  if (typeof raw !== 'string') throw new UnitError('E_UNIT_PERCENT', `found ${shown(raw)}: ${PERCENT_HINT}`);
  const text = raw.trim();
  if (text.startsWith('-')) throw negative(raw, PERCENT_HINT);
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (!m) throw new UnitError('E_UNIT_PERCENT', `found ${shown(raw)}: ${PERCENT_HINT}`);
  const value = Number(m[1]) / 100;
  if (value <= 0) throw new UnitError('E_UNIT_PERCENT', `found ${shown(raw)}: must be above 0%`);
  return value;
}

/** Parses a plain ratio: `40`, `2.5`, `"40"`. */
export function parseRatio(raw: unknown): number {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new UnitError('E_UNIT_RATIO', `found ${shown(raw)}: ${RATIO_HINT}`);
    if (raw < 0) throw negative(raw, RATIO_HINT);
    return raw;
  }
  if (typeof raw !== 'string') throw new UnitError('E_UNIT_RATIO', `found ${shown(raw)}: ${RATIO_HINT}`);
  const text = raw.trim();
  if (text.startsWith('-')) throw negative(raw, RATIO_HINT);
  if (!/^\d+(?:\.\d+)?$/.test(text)) throw new UnitError('E_UNIT_RATIO', `found ${shown(raw)}: ${RATIO_HINT}`);
  return Number(text);
}

const PARSERS: Record<Quantity, (raw: unknown) => number> = {
  count: parseCount,
  money: parseMoney,
  duration: parseDuration,
  ratio: parseRatio,
};

const THRESHOLD_RE = /^(>=|<=|==|>|<)?\s*(.+)$/s;

/** Parses `"> 200k"`, `">= $25"`, `"< 1h"`; without an operator, `>` is meant (a cap). */
export function parseThreshold(raw: unknown, quantity: Quantity): Threshold {
  if (typeof raw === 'number') return { op: '>', value: PARSERS[quantity](raw) };
  if (typeof raw !== 'string') {
    throw new UnitError('E_UNIT_THRESHOLD', `found ${shown(raw)}: expected a comparison like "> ${example(quantity)}" (operators >, >=, <, <=, ==); ${HINTS[quantity]}`);
  }
  if (/^[=!<>\s]+$/.test(raw)) {
    throw new UnitError('E_UNIT_THRESHOLD', `found ${shown(raw)}: the value is missing; expected a comparison like "> ${example(quantity)}"`);
  }
  const m = THRESHOLD_RE.exec(raw.trim());
  if (!m || m[2] === undefined) {
    throw new UnitError('E_UNIT_THRESHOLD', `found ${shown(raw)}: expected a comparison like "> ${example(quantity)}" (operators >, >=, <, <=, ==)`);
  }
  const op = (m[1] ?? '>') as Comparison;
  if (/^[=!<>]/.test(m[2])) {
    throw new UnitError('E_UNIT_THRESHOLD', `found ${shown(raw)}: unknown operator; expected one of >, >=, <, <=, ==`);
  }
  return { op, value: PARSERS[quantity](m[2].trim()) };
}

function example(quantity: Quantity): string {
  return { count: '200k', money: '$25', duration: '24h', ratio: '40' }[quantity];
}

/** True when `value op threshold`. */
export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
  }
}

// Hand-rolled grouping: toLocaleString builds an Intl formatter per call, far too slow for reasons in bulk.
function group(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits.charAt(i);
  }
  return out;
}

/** `231402` → `231,402`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  const rounded = Math.round(n);
  return rounded < 0 ? `-${group(String(-rounded))}` : group(String(rounded));
}

/** `26.1` → `$26.10`. */
export function formatMoney(usd: number): string {
  const cents = Math.round(usd * 100);
  const whole = Math.floor(Math.abs(cents) / 100);
  const frac = String(Math.abs(cents) % 100).padStart(2, '0');
  return `${cents < 0 ? '-' : ''}$${group(String(whole))}.${frac}`;
}

/** ms → the two largest units: `3d 4h`, `45m`, `90s` → `1m 30s`, `0s`. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['w', DURATION_MS.w!],
    ['d', DURATION_MS.d!],
    ['h', DURATION_MS.h!],
    ['m', DURATION_MS.m!],
    ['s', DURATION_MS.s!],
  ];
  let rest = Math.max(0, Math.round(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) {
      if (n > 0) parts.push(`${n}${unit}`);
      else if (parts.length > 0) break;
      rest -= n * size;
    }
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}

/** `41.666` → `41.67`, `40` → `40`. */
export function formatRatio(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '∞';
}

/** 0.8 → `80%`. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

/** Formats a value of the given quantity for reasons. */
export function formatQuantity(value: number, quantity: Quantity): string {
  switch (quantity) {
    case 'count':
      return formatCount(value);
    case 'money':
      return formatMoney(value);
    case 'duration':
      return formatDuration(value);
    case 'ratio':
      return formatRatio(value);
  }
}
