import type { ConfigError } from '../config/errors.js';
import { YamlFile, type Segment } from '../config/yaml-file.js';
import { parseCount, parseDuration, parseMoney, UnitError } from '../domain/units.js';

/** A fixture session: what the platform would report about it at the case's clock. */
export interface FixtureSession {
  readonly key: string;
  readonly agent: string;
  readonly source?: string;
  readonly generation: string;
  readonly model?: string;
  readonly provider?: string;
  readonly channel?: string;
  readonly kind?: string;
  /** Key of the session that spawned it (a sub-agent's parent). */
  readonly parent?: string;
  readonly main: boolean;
  readonly archived: boolean;
  readonly active: boolean;
  /** clawwarden holds it already (a pause or hold placed earlier, by a person). */
  readonly held: boolean;
  readonly startedAt?: TimeRef;
  readonly lastActivityAt?: TimeRef;
  /** When a person last wrote to it (`idle.human`); absent = the platform does not say. */
  readonly lastHumanAt?: TimeRef;
  readonly runStartedAt?: TimeRef;
  /** Cumulative usage at the clock (a platform baseline), or `unknown` (not reported yet: usage policies must not fire). */
  readonly usage?: FixtureUsage | 'unknown';
  /** Per-call history, oldest first. */
  readonly calls: readonly (FixtureUsage & { readonly at: TimeRef })[];
  /** The keys written for it (a later step changes only these on a session it already has). */
  readonly given: readonly string[];
}

export interface FixtureUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly cost: number;
}

/** A time: absolute (epoch ms) or relative to the step's clock (ms, negative = before). */
export type TimeRef = { readonly at: number } | { readonly offset: number };

/** One expected decision. Omitted optional fields are not checked, except `held` (absent = nothing held back). */
export interface Expectation {
  readonly policy: string;
  /** `session <key>`, `agent <name>` or `fleet`. */
  readonly subject: string;
  readonly actions: readonly string[];
  readonly held: readonly string[];
  readonly kind?: string;
  readonly mode?: string;
  /** Where it was written, for messages. */
  readonly line: number;
}

/** A point in a case: the clock moves by `after`, sessions change, and the decisions of that moment are expected. */
export interface Step {
  readonly after: number;
  readonly sessions: readonly FixtureSession[];
  readonly expect: readonly Expectation[];
  readonly line: number;
}

export interface TestCase {
  readonly name: string;
  readonly now: number;
  /** The first step is the case itself (after 0); `then` adds more. */
  readonly steps: readonly Step[];
  readonly line: number;
}

/** A parsed policy test file. */
export interface TestFile {
  readonly file: string;
  /** Absolute path of the file. */
  readonly path: string;
  readonly target: { readonly config: string } | { readonly policies: readonly string[] };
  readonly safety?: unknown;
  readonly mode?: string;
  readonly source?: { readonly name: string; readonly type: string };
  readonly cases: readonly TestCase[];
  /** Positions of top-level keys, to place config errors that come from them. */
  readonly keyLine: (key: string) => { line: number; column: number };
}

const TOP_KEYS = ['config', 'policies', 'safety', 'mode', 'source', 'now', 'description', 'tests'];
const CASE_KEYS = ['name', 'now', 'sessions', 'expect', 'then'];
const STEP_KEYS = ['after', 'sessions', 'expect'];
const SESSION_KEYS = [
  'key',
  'agent',
  'source',
  'generation',
  'model',
  'provider',
  'channel',
  'kind',
  'parent',
  'main',
  'archived',
  'active',
  'held',
  'started',
  'lastActivity',
  'lastHuman',
  'runStarted',
  'usage',
  'calls',
];
const USAGE_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cost'];
const EXPECT_KEYS = ['policy', 'session', 'agent', 'fleet', 'actions', 'held', 'kind', 'mode'];
const KINDS = ['violation', 'escalation', 'warn', 'release'];
const MODES = ['enforce', 'observe', 'dry-run'];
/** The clock of a file that names none: fixed, so a test never depends on the day it runs. */
export const DEFAULT_NOW = Date.parse('2026-01-05T12:00:00Z');

type Raw = Record<string, unknown>;

/** Reads one test file; every problem is reported with file:line:column, all at once. */
export function parseTestFile(shown: string, path: string, text: string): { file?: TestFile; errors: ConfigError[] } {
  const yaml = new YamlFile(shown, text);
  const loaded = yaml.load();
  if ('errors' in loaded) return { errors: loaded.errors };
  const data = loaded.data;
  const errors: ConfigError[] = [];
  const fail = (at: readonly Segment[], message: string, target: 'value' | 'key' = 'value', allowed?: readonly string[]): undefined => {
    const pos = yaml.position(at, target);
    errors.push({ code: 'SCHEMA', file: shown, line: pos.line, column: pos.column, path: pathText(at), message, ...(allowed ? { allowed } : {}) });
    return undefined;
  };
  const lineOf = (at: readonly Segment[]): number => yaml.position(at).line;
  if (!isMap(data)) {
    fail([], 'a policy test file is a map with `policies:` (or `config:`) and `tests:`');
    return { errors };
  }
  closed(data, TOP_KEYS, [], fail);

  let target: TestFile['target'] | undefined;
  if (data.config !== undefined && data.policies !== undefined) fail(['policies'], 'name either `config:` (a config file) or `policies:` (policy files), not both', 'key');
  else if (typeof data.config === 'string' && data.config !== '') target = { config: data.config };
  else if (data.config !== undefined) fail(['config'], 'expected the path of a config file, relative to this test file');
  else if (typeof data.policies === 'string' && data.policies !== '') target = { policies: [data.policies] };
  else if (Array.isArray(data.policies) && data.policies.length > 0 && data.policies.every((p) => typeof p === 'string' && p !== '')) target = { policies: data.policies as string[] };
  else if (data.policies !== undefined) fail(['policies'], 'expected a policy file or glob (or a list of them), relative to this test file');
  else fail([], 'missing `policies:` (the policy files under test) or `config:` (a config file whose policies are tested)');

  if (data.mode !== undefined && !['enforce', 'dry-run', 'observe'].includes(scalar(data.mode))) fail(['mode'], `found ${JSON.stringify(data.mode)}`, 'value', ['enforce', 'observe', 'dry-run']);
  let source: TestFile['source'];
  if (data.source !== undefined) {
    if (!isMap(data.source) || typeof data.source.name !== 'string' || typeof data.source.type !== 'string')
      fail(['source'], 'expected { name: home, type: openclaw }: the source the fixture sessions come from');
    else source = { name: data.source.name, type: data.source.type };
  }
  const fileNow = data.now === undefined ? DEFAULT_NOW : absoluteTime(data.now, ['now'], fail);

  const cases: TestCase[] = [];
  if (!Array.isArray(data.tests) || data.tests.length === 0) fail(data.tests === undefined ? [] : ['tests'], 'expected `tests:`, a list of cases like { name, sessions, expect }');
  else {
    const names = new Set<string>();
    data.tests.forEach((raw: unknown, i: number) => {
      const at: Segment[] = ['tests', i];
      if (!isMap(raw)) {
        fail(at, 'expected a case like { name, sessions, expect }');
        return;
      }
      closed(raw, CASE_KEYS, at, fail);
      const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : undefined;
      if (name === undefined) fail([...at, 'name'], 'every case needs a name');
      if (name !== undefined && names.has(name)) fail([...at, 'name'], `a case named "${name}" is already in this file`);
      if (name !== undefined) names.add(name);
      const now = raw.now === undefined ? fileNow : absoluteTime(raw.now, [...at, 'now'], fail);
      const first = readStep({ after: '0s', sessions: raw.sessions, expect: raw.expect }, at, fail, lineOf, false);
      const steps: Step[] = first ? [first] : [];
      if (raw.then !== undefined) {
        if (!Array.isArray(raw.then)) fail([...at, 'then'], 'expected a list of steps like { after: 5m, expect: [...] }');
        else
          raw.then.forEach((s: unknown, j: number) => {
            const step = readStep(s, [...at, 'then', j], fail, lineOf, true);
            if (step) steps.push(step);
          });
      }
      if (name !== undefined && now !== undefined && first) cases.push({ name, now, steps, line: lineOf(at) });
      return undefined;
    });
  }
  if (errors.length > 0 || !target) return { errors };
  return {
    errors,
    file: {
      file: shown,
      path,
      target,
      ...(data.safety !== undefined ? { safety: data.safety } : {}),
      ...(data.mode !== undefined ? { mode: scalar(data.mode) } : {}),
      ...(source ? { source } : {}),
      cases,
      keyLine: (key) => yaml.position([key], 'key'),
    },
  };
}

type Fail = (at: readonly Segment[], message: string, target?: 'value' | 'key', allowed?: readonly string[]) => undefined;

function readStep(raw: unknown, at: Segment[], fail: Fail, lineOf: (at: readonly Segment[]) => number, own: boolean): Step | undefined {
  if (!isMap(raw)) {
    fail(at, 'expected a step like { after: 5m, sessions: [...], expect: [...] }');
    return;
  }
  if (own) closed(raw, STEP_KEYS, at, fail);
  const where = (k: string): Segment[] => (own ? [...at, k] : [...at, k]);
  let after = 0;
  if (own) {
    if (raw.after === undefined) fail(at, 'missing `after`: how far the clock moves before this step, e.g. 5m');
    else after = duration(raw.after, where('after'), fail) ?? 0;
  }
  const sessions: FixtureSession[] = [];
  if (raw.sessions !== undefined) {
    if (!Array.isArray(raw.sessions)) fail(where('sessions'), 'expected a list of sessions like { key: "agent:backend:fix", usage: { input: 150k } }');
    else
      raw.sessions.forEach((s: unknown, i: number) => {
        const session = readSession(s, [...where('sessions'), i], fail);
        if (session) sessions.push(session);
      });
  } else if (!own) fail(at, 'missing `sessions`: the fixture fleet of this case');
  const expect: Expectation[] = [];
  if (raw.expect === undefined) fail(own ? at : at, 'missing `expect`: the decisions expected (a list), or `nothing`');
  else if (raw.expect === 'nothing' || raw.expect === null || (Array.isArray(raw.expect) && raw.expect.length === 0)) {
    // Nothing expected.
  } else if (!Array.isArray(raw.expect)) fail(where('expect'), 'expected a list like [ { policy: session-token-cap, session: "agent:backend:fix", actions: [stop] } ], or `nothing`');
  else
    raw.expect.forEach((e: unknown, i: number) => {
      const expectation = readExpectation(e, [...where('expect'), i], fail, lineOf);
      if (expectation) expect.push(expectation);
    });
  return { after, sessions, expect, line: lineOf(at) };
}

function readSession(raw: unknown, at: Segment[], fail: Fail): FixtureSession | undefined {
  if (!isMap(raw)) {
    fail(at, 'expected a session like { key: "agent:backend:fix", usage: { input: 150k, output: 3k } }');
    return;
  }
  closed(raw, SESSION_KEYS, at, fail);
  if (typeof raw.key !== 'string' || raw.key === '') {
    fail([...at, 'key'], 'every session needs a key, e.g. agent:backend:fix-tests');
    return;
  }
  const key = raw.key;
  const agent = raw.agent === undefined ? (/^agent:([^:]+):/.exec(key)?.[1] ?? 'default') : scalar(raw.agent);
  const text = (k: string): string | undefined => (raw[k] === undefined ? undefined : scalar(raw[k]));
  const flag = (k: string, fallback: boolean): boolean => {
    if (raw[k] === undefined) return fallback;
    if (typeof raw[k] !== 'boolean') fail([...at, k], 'expected true or false');
    return raw[k] === true;
  };
  const time = (k: string): TimeRef | undefined => (raw[k] === undefined ? undefined : timeRef(raw[k], [...at, k], fail));
  let usage: FixtureSession['usage'];
  if (raw.usage === 'unknown') usage = 'unknown';
  else if (raw.usage !== undefined) usage = readUsage(raw.usage, [...at, 'usage'], fail);
  const calls: (FixtureUsage & { at: TimeRef })[] = [];
  if (raw.calls !== undefined) {
    if (!Array.isArray(raw.calls)) fail([...at, 'calls'], 'expected a list of calls like { at: "-5m", input: 12k, output: 300 }');
    else
      raw.calls.forEach((c: unknown, i: number) => {
        const here = [...at, 'calls', i];
        if (!isMap(c)) {
          fail(here, 'expected a call like { at: "-5m", input: 12k, output: 300 }');
          return;
        }
        const { at: when, ...rest } = c;
        if (when === undefined) {
          fail(here, 'missing `at`: when the call completed (an ISO time, or relative like -5m)');
          return;
        }
        const t = timeRef(when, [...here, 'at'], fail);
        const u = readUsage(rest, here, fail);
        if (t && u) calls.push({ ...u, at: t });
        return undefined;
      });
  }
  const optional = (k: string, v: unknown): object => (v === undefined ? {} : { [k]: v });
  return {
    key,
    agent,
    generation: text('generation') ?? 'g1',
    main: flag('main', key.endsWith(':main')),
    archived: flag('archived', false),
    active: flag('active', false),
    held: flag('held', false),
    calls,
    given: Object.keys(raw),
    ...optional('source', text('source')),
    ...optional('model', text('model')),
    ...optional('provider', text('provider')),
    ...optional('channel', text('channel')),
    ...optional('kind', text('kind')),
    ...optional('parent', text('parent')),
    ...optional('startedAt', time('started')),
    ...optional('lastActivityAt', time('lastActivity')),
    ...optional('lastHumanAt', time('lastHuman')),
    ...optional('runStartedAt', time('runStarted')),
    ...optional('usage', usage),
  };
}

function readUsage(raw: unknown, at: Segment[], fail: Fail): FixtureUsage | undefined {
  if (!isMap(raw)) {
    fail(at, 'expected usage like { input: 150k, output: 3k, cost: "$1.20" }, or `unknown`');
    return;
  }
  closed(raw, USAGE_KEYS, at, fail);
  const count = (k: string): number => {
    if (raw[k] === undefined) return 0;
    try {
      return parseCount(raw[k]);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      fail([...at, k], error.message);
      return 0;
    }
  };
  let cost = 0;
  if (raw.cost !== undefined) {
    try {
      cost = parseMoney(raw.cost);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      fail([...at, 'cost'], error.message);
    }
  }
  return { input: count('input'), output: count('output'), cacheRead: count('cacheRead'), cacheWrite: count('cacheWrite'), cost };
}

function readExpectation(raw: unknown, at: Segment[], fail: Fail, lineOf: (at: readonly Segment[]) => number): Expectation | undefined {
  if (!isMap(raw)) {
    fail(at, 'expected { policy: NAME, session: KEY, actions: [stop] } (or agent: NAME / fleet: true)');
    return;
  }
  closed(raw, EXPECT_KEYS, at, fail);
  const policy = typeof raw.policy === 'string' && raw.policy !== '' ? raw.policy : undefined;
  if (policy === undefined) fail([...at, 'policy'], 'missing `policy`: the policy expected to decide');
  const subjects = ['session', 'agent', 'fleet'].filter((k) => raw[k] !== undefined);
  let subject: string | undefined;
  if (subjects.length !== 1) fail(at, 'name exactly one of `session: KEY`, `agent: NAME` or `fleet: true`');
  else if (raw.fleet === true) subject = 'fleet';
  else if (raw.fleet !== undefined) fail([...at, 'fleet'], 'expected `fleet: true`');
  else subject = `${subjects[0]} ${String(raw[subjects[0]!])}`;
  const list = (k: string): string[] | undefined => {
    const v = raw[k];
    if (v === undefined) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((a) => typeof a === 'string')) return v;
    fail([...at, k], 'expected a list of actions as `check` prints them, e.g. [notify(ops-chat), stop, cleanup(archive)]');
  };
  const actions = list('actions');
  const held = list('held');
  if (raw.kind !== undefined && !KINDS.includes(scalar(raw.kind))) fail([...at, 'kind'], `found ${JSON.stringify(raw.kind)}`, 'value', KINDS);
  if (raw.mode !== undefined && !MODES.includes(scalar(raw.mode))) fail([...at, 'mode'], `found ${JSON.stringify(raw.mode)}`, 'value', MODES);
  if (!policy || !subject || !actions || !held) return undefined;
  return {
    policy,
    subject,
    actions: actions.map(normaliseAction),
    held: held.map(normaliseAction),
    ...(raw.kind !== undefined ? { kind: scalar(raw.kind) } : {}),
    ...(raw.mode !== undefined ? { mode: scalar(raw.mode) === 'dry-run' ? 'observe' : scalar(raw.mode) } : {}),
    line: lineOf(at),
  };
}

/** `notify( ops-chat )` → `notify(ops-chat)`, `cleanup` → `cleanup(archive)`: the spelling `check` prints. */
export function normaliseAction(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (compact === 'cleanup') return 'cleanup(archive)';
  return compact.replace(/,/g, ', ');
}

function absoluteTime(raw: unknown, at: Segment[], fail: Fail): number | undefined {
  const value = raw instanceof Date ? raw.getTime() : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(value)) {
    fail(at, `found ${JSON.stringify(raw)}: expected an ISO time like 2026-01-05T12:00:00Z`);
    return;
  }
  return value;
}

/** `2026-01-05T11:00:00Z`, `now`, `-5m`, `5m ago`, `+1h`. */
function timeRef(raw: unknown, at: Segment[], fail: Fail): TimeRef | undefined {
  if (raw instanceof Date) return { at: raw.getTime() };
  if (typeof raw !== 'string') {
    fail(at, `found ${JSON.stringify(raw)}: expected an ISO time, \`now\`, or a time relative to the clock like -5m or "2h ago"`);
    return;
  }
  const text = raw.trim();
  if (text === 'now') return { offset: 0 };
  const relative = /^([+-])?\s*(.+?)(\s+ago)?$/.exec(text);
  if (relative && (relative[1] !== undefined || relative[3] !== undefined)) {
    const ms = duration(relative[2], at, fail);
    if (ms === undefined) return undefined;
    return { offset: relative[1] === '+' && relative[3] === undefined ? ms : -ms };
  }
  const value = Date.parse(text);
  if (Number.isNaN(value)) {
    fail(at, `found ${JSON.stringify(raw)}: expected an ISO time, \`now\`, or a time relative to the clock like -5m or "2h ago"`);
    return;
  }
  return { at: value };
}

function duration(raw: unknown, at: Segment[], fail: Fail): number | undefined {
  try {
    return parseDuration(raw);
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
    fail(at, error.message);
    return;
  }
}

function closed(raw: Raw, keys: readonly string[], at: Segment[], fail: Fail): void {
  for (const key of Object.keys(raw)) if (!keys.includes(key)) fail([...at, key], `unknown key "${key}"; expected one of: ${keys.join(', ')}`, 'key', keys);
}

/** A YAML value as text: a scalar (or a YAML timestamp) as String() writes it, a map or list as JSON rather than "[object Object]". */
export function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value instanceof Date) return String(value);
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function isMap(x: unknown): x is Raw {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Date);
}

/** `tests[2].sessions[0].usage`. */
function pathText(at: readonly Segment[]): string {
  return at.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
