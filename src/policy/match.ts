import picomatch from 'picomatch';
import type { Session } from '../domain/session.js';
import type { PolicyProblem } from '../domain/problem.js';

/** The session fields `match` and `exclude` can test. */
export const MATCH_FIELDS = ['agent', 'key', 'model', 'provider', 'channel', 'kind'] as const;
type Field = (typeof MATCH_FIELDS)[number];
type Test = (value: string) => boolean;

/** JSON schema of `match` (with `exclude` carrying the same keys). */
export function matchSchema(): object {
  const globs = { type: ['string', 'array'], items: { type: 'string', minLength: 1 }, minItems: 1, minLength: 1, description: 'glob or list of globs' };
  const fields = Object.fromEntries(MATCH_FIELDS.map((f) => [f, globs]));
  return {
    type: 'object',
    additionalProperties: false,
    properties: { ...fields, exclude: { type: 'object', additionalProperties: false, minProperties: 1, properties: fields } },
  };
}

function compileGlobs(raw: unknown, path: readonly (string | number)[], problems: PolicyProblem[]): Test | undefined {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push({ path, message: `expected a glob like "backend-*" or a list of globs, found ${JSON.stringify(raw)}` });
    return undefined;
  }
  const tests: Test[] = [];
  list.forEach((glob, i) => {
    const at = typeof raw === 'string' ? path : [...path, i];
    if (typeof glob !== 'string' || glob === '') {
      problems.push({ path: at, message: `expected a glob string, found ${JSON.stringify(glob)}` });
      return;
    }
    try {
      // `:` separates key parts (`agent:*:main`), so `*` must cross no `/` only; keys contain no `/` anyway.
      const re = picomatch.makeRe(glob, { dot: true, strictBrackets: true });
      tests.push((value) => re.test(value));
    } catch (error) {
      problems.push({ path: at, message: `bad glob ${JSON.stringify(glob)}: ${(error as Error).message}` });
    }
  });
  if (tests.length !== list.length) return undefined;
  const only = tests[0]!;
  return tests.length === 1 ? only : (value) => tests.some((t) => t(value));
}

function compileFields(raw: unknown, path: readonly (string | number)[], problems: PolicyProblem[], allowExclude: boolean) {
  const tests: [Field, Test][] = [];
  let exclude: [Field, Test][] | undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ path, message: `expected an object with keys ${MATCH_FIELDS.join(', ')}`, allowed: [...MATCH_FIELDS] });
    return { tests, exclude };
  }
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'exclude' && allowExclude) {
      exclude = compileFields(value, [...path, key], problems, false).tests;
    } else if ((MATCH_FIELDS as readonly string[]).includes(key)) {
      const test = compileGlobs(value, [...path, key], problems);
      if (test) tests.push([key as Field, test]);
    } else {
      const allowed = allowExclude ? [...MATCH_FIELDS, 'exclude'] : [...MATCH_FIELDS];
      problems.push({ path: [...path, key], message: `unknown match key "${key}"; expected one of: ${allowed.join(', ')}`, allowed });
    }
  }
  return { tests, exclude };
}

/**
 * A compiled `match`. Besides being callable, it exposes its two halves so the engine can memoise the
 * identity half (agent, model, provider, channel, kind repeat across thousands of sessions) per distinct
 * combination and test only the key (unique per session) per session.
 */
export interface Matcher {
  (session: Session): boolean;
  /** Tests every field but `key`. */
  readonly identity: (session: Session) => boolean;
  /** Tests `key` (include and exclude); absent when `match` says nothing about keys. */
  readonly key?: (key: string) => boolean;
}

/** Compiles `match` once; results per distinct field value are memoised for direct calls. */
export function compileMatch(raw: unknown, path: readonly (string | number)[], problems: PolicyProblem[]): Matcher {
  const { tests, exclude } = raw === undefined ? { tests: [], exclude: undefined } : compileFields(raw, path, problems, true);
  const include = tests.filter(([f]) => f !== 'key');
  const excl = (exclude ?? []).filter(([f]) => f !== 'key');
  const keyIn = tests.find(([f]) => f === 'key')?.[1];
  const keyOut = exclude?.find(([f]) => f === 'key')?.[1];
  const identityOf = (wrap: (t: Test) => Test) => {
    const inc = include.map(([f, t]) => [f, wrap(t)] as const);
    const exc = excl.map(([f, t]) => [f, wrap(t)] as const);
    return (session: Session): boolean => {
      for (let i = 0; i < inc.length; i++) {
        const value = session[inc[i]![0]];
        if (value === undefined || !inc[i]![1](value)) return false;
      }
      for (let i = 0; i < exc.length; i++) {
        const value = session[exc[i]![0]];
        if (value !== undefined && exc[i]![1](value)) return false;
      }
      return true;
    };
  };
  const identity = identityOf((t) => t);
  const memoised = identityOf(memo);
  const key = keyIn || keyOut ? (k: string) => (keyIn === undefined || keyIn(k)) && (keyOut === undefined || !keyOut(k)) : undefined;
  const matcher = key ? (session: Session) => memoised(session) && key(session.key) : memoised;
  return Object.assign(matcher, { identity, ...(key ? { key } : {}) });
}

function memo(test: Test): Test {
  const seen = new Map<string, boolean>();
  return (value) => {
    let hit = seen.get(value);
    if (hit === undefined) {
      hit = test(value);
      // Bounded so a source with unbounded distinct values cannot grow this without limit.
      if (seen.size < 10_000) seen.set(value, hit);
    }
    return hit;
  };
}
