import picomatch from 'picomatch';
import type { Session } from '../domain/session.js';
import type { Problem, Segment } from '../domain/problem.js';

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
    propertyNames: { title: 'match key' },
    properties: { ...fields, exclude: { type: 'object', additionalProperties: false, propertyNames: { title: 'match key' }, minProperties: 1, properties: fields } },
  };
}

type Path = readonly Segment[];

/** One glob or a list of them (shapes as matchSchema() accepts them); a malformed glob is a BAD_GLOB problem. */
function compileGlobs(raw: string | readonly string[], path: Path, problems: Problem[]): Test | undefined {
  const list = typeof raw === 'string' ? [raw] : raw;
  const tests: Test[] = [];
  list.forEach((glob, i) => {
    const at = typeof raw === 'string' ? path : [...path, i];
    try {
      // `:` separates key parts (`agent:*:main`), so `*` must cross no `/` only; keys contain no `/` anyway.
      const re = picomatch.makeRe(glob, { dot: true, strictBrackets: true });
      tests.push((value) => re.test(value));
    } catch (error) {
      problems.push({ code: 'BAD_GLOB', path: at, message: `bad glob ${JSON.stringify(glob)}: ${(error as Error).message}` });
    }
  });
  if (tests.length !== list.length) return undefined;
  const only = tests[0]!;
  return tests.length === 1 ? only : (value) => tests.some((t) => t(value));
}

type Globs = Partial<Record<Field, string | readonly string[]>>;

function compileFields(raw: Globs & { exclude?: Globs }, path: Path, problems: Problem[], accepted: (path: Path) => boolean) {
  const tests: [Field, Test][] = [];
  const exclude: [Field, Test][] = [];
  for (const field of MATCH_FIELDS) {
    const value = raw[field];
    if (value !== undefined && accepted([...path, field])) {
      const test = compileGlobs(value, [...path, field], problems);
      if (test) tests.push([field, test]);
    }
    const out = raw.exclude?.[field];
    if (out !== undefined && accepted([...path, 'exclude', field])) {
      const test = compileGlobs(out, [...path, 'exclude', field], problems);
      if (test) exclude.push([field, test]);
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

/**
 * Compiles `match` once (a value matchSchema() accepts, wherever `accepted` says the schema found nothing wrong);
 * results per distinct field value are memoised for direct calls.
 */
export function compileMatch(raw: unknown, path: Path, problems: Problem[], accepted: (path: Path) => boolean = () => true): Matcher {
  const usable = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  const { tests, exclude } = usable ? compileFields(raw, path, problems, accepted) : { tests: [], exclude: [] };
  const include = tests.filter(([f]) => f !== 'key');
  const excl = exclude.filter(([f]) => f !== 'key');
  const keyIn = tests.find(([f]) => f === 'key')?.[1];
  const keyOut = exclude.find(([f]) => f === 'key')?.[1];
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
