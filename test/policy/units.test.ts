import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatMoney,
  formatPercent,
  formatRatio,
  parseCount,
  parseDuration,
  parseMoney,
  parsePercent,
  parseRatio,
  parseThreshold,
  UnitError,
} from '../../src/policy/index.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

describe('parseCount', () => {
  it.each([
    ['200k', 200_000],
    ['1.5M', 1_500_000],
    ['1_000', 1000],
    ['42', 42],
    [42, 42],
    ['2K', 2000],
    ['0', 0],
    [' 3k ', 3000],
  ])('%j → %d', (raw, want) => expect(parseCount(raw)).toBe(want));

  it.each([
    ['-5', 'E_UNIT_NEGATIVE'],
    [-1, 'E_UNIT_NEGATIVE'],
    ['200x', 'E_UNIT_COUNT'],
    ['1__000', 'E_UNIT_COUNT'],
    ['_1', 'E_UNIT_COUNT'],
    ['k', 'E_UNIT_COUNT'],
    ['$5', 'E_UNIT_COUNT'],
    ['', 'E_UNIT_COUNT'],
    [true, 'E_UNIT_COUNT'],
  ])('%j is rejected with %s', (raw, code) => {
    const error = catchError(() => parseCount(raw));
    expect(error.code).toBe(code);
    expect(error.message).toContain('expected a token count like "200k", "1.5M" or "1_000"');
  });
});

describe('parseMoney', () => {
  it.each([
    ['$25', 25],
    ['$0.50', 0.5],
    ['$1_000', 1000],
    ['$1.5k', 1500],
  ])('%j → %d', (raw, want) => expect(parseMoney(raw)).toBe(want));

  it.each([
    ['25', 'E_UNIT_MONEY', 'write "$25"'],
    [25, 'E_UNIT_MONEY', 'without a unit'],
    ['-$5', 'E_UNIT_NEGATIVE', 'negative'],
    ['$-5', 'E_UNIT_NEGATIVE', 'negative'],
    ['25$', 'E_UNIT_MONEY', 'dollars'],
    ['€25', 'E_UNIT_MONEY', 'dollars'],
  ])('%j is rejected with %s', (raw, code, text) => {
    const error = catchError(() => parseMoney(raw));
    expect(error.code).toBe(code);
    expect(error.message).toContain(text);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 30 * MIN],
    ['1h', H],
    ['7d', 7 * D],
    ['2w', 14 * D],
    ['1h30m', 90 * MIN],
    ['1d 12h', 36 * H],
    ['1.5h', 90 * MIN],
    ['500ms', 500],
  ])('%j → %d ms', (raw, want) => expect(parseDuration(raw)).toBe(want));

  it.each([
    ['90', 'E_UNIT_DURATION'],
    [90, 'E_UNIT_DURATION'],
    ['-1h', 'E_UNIT_NEGATIVE'],
    ['1y', 'E_UNIT_DURATION'],
    ['h', 'E_UNIT_DURATION'],
    ['1h30', 'E_UNIT_DURATION'],
    ['', 'E_UNIT_DURATION'],
  ])('%j is rejected with %s', (raw, code) => {
    const error = catchError(() => parseDuration(raw));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/expected a duration like "90s", "30m", "1h", "7d"/);
  });
});

describe('parsePercent and parseRatio', () => {
  it.each([
    ['80%', 0.8],
    ['100%', 1],
    ['12.5%', 0.125],
    [0.8, 0.8],
  ])('percent %j → %d', (raw, want) => expect(parsePercent(raw)).toBeCloseTo(want, 10));

  it.each([['80'], [80], ['-5%'], ['0%'], ['abc']])('percent %j is rejected', (raw) => {
    expect(catchError(() => parsePercent(raw)).message).toMatch(/expected a percentage like "80%"|must be above 0%/);
  });

  it.each([
    ['40', 40],
    [2.5, 2.5],
    ['0.5', 0.5],
  ])('ratio %j → %d', (raw, want) => expect(parseRatio(raw)).toBe(want));

  it.each([['40x'], ['-1'], ['$4']])('ratio %j is rejected', (raw) => {
    expect(catchError(() => parseRatio(raw))).toBeInstanceOf(UnitError);
  });
});

describe('parseThreshold', () => {
  it.each([
    ['> 200k', 'count', '>', 200_000],
    ['>=1.5M', 'count', '>=', 1_500_000],
    ['< 10', 'count', '<', 10],
    ['<= $5', 'money', '<=', 5],
    ['== 3', 'ratio', '==', 3],
    ['> 24h', 'duration', '>', D],
    ['200k', 'count', '>', 200_000],
    [5000, 'count', '>', 5000],
  ] as const)('%j as %s → %s %d', (raw, quantity, op, value) => {
    expect(parseThreshold(raw, quantity)).toEqual({ op, value });
  });

  it.each([
    ['> 25', 'money', /write "\$25"/],
    ['> 24', 'duration', /without a unit|expected a duration/],
    ['=> 5', 'count', /unknown operator/],
    ['!= 5', 'count', /unknown operator/],
    ['> -5k', 'count', /negative/],
    [null, 'count', /expected a comparison like "> 200k"/],
    ['>', 'count', /the value is missing/],
  ] as const)('%j as %s is rejected', (raw, quantity, message) => {
    expect(catchError(() => parseThreshold(raw, quantity)).message).toMatch(message);
  });
});

describe('formatters', () => {
  it.each([
    [formatCount(231_402), '231,402'],
    [formatCount(0), '0'],
    [formatMoney(26.1), '$26.10'],
    [formatMoney(1234.5), '$1,234.50'],
    [formatMoney(0.004), '$0.00'],
    [formatDuration(3 * D + 4 * H + 5 * MIN), '3d 4h'],
    [formatDuration(90_000), '1m 30s'],
    [formatDuration(D), '1d'],
    [formatDuration(3 * D + 5 * MIN), '3d'],
    [formatDuration(0), '0s'],
    [formatDuration(16 * D), '2w 2d'],
    [formatRatio(41.666), '41.67'],
    [formatRatio(Infinity), '∞'],
    [formatPercent(0.8), '80%'],
  ])('%s = %s', (got, want) => expect(got).toBe(want));
});

function catchError(fn: () => unknown): UnitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnitError);
    return error as UnitError;
  }
  throw new Error('expected a UnitError');
}
