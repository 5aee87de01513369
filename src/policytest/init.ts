import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { Document, isMap, isSeq, stringify, visit } from 'yaml';
import { formatConfigError } from '../config/errors.js';
import { loadConfig } from '../config/index.js';
import type { Policy } from '../policy/types.js';
import { formatDuration, parseCount, parseDuration, parseMoney, parseRatio } from '../domain/units.js';
import { DEFAULT_NOW, parseTestFile, scalar } from './format.js';
import { runTestFile } from './run.js';

type Fixture = Record<string, unknown>;

/** Where the starter reports (the CLI's output streams, its working directory and environment). */
export interface StarterIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * Writes a starter test for a config: one case per policy with a fixture made to cross its thresholds, and one quiet
 * case. The expectations written are what the policies decide on those fixtures now (run on the real engine and
 * enforcer), so the file passes as written; its header says to read each one before trusting it.
 */
export async function writeStarter(options: { config: string; out?: string }, io: StarterIO): Promise<number> {
  const file = resolve(io.cwd, options.config);
  const loaded = loadConfig({ file, cwd: io.cwd, env: io.env, ...{ resolveSecrets: false } });
  if (!loaded.config) {
    for (const e of loaded.errors) io.stderr(`${formatConfigError(e)}\n`);
    return 2;
  }
  const out = options.out !== undefined ? resolve(io.cwd, options.out) : join(dirname(file), `${basename(file, extname(file))}.test.yaml`);
  if (existsSync(out)) {
    io.stderr(`clawwarden test --init: ${relative(io.cwd, out) || out} exists; not overwriting it (choose another with --out)\n`);
    return 2;
  }
  const configRef = relative(dirname(out), file) || basename(file);
  const draft = {
    config: configRef,
    now: new Date(DEFAULT_NOW).toISOString(),
    tests: [
      ...loaded.config.policies.map((p) => ({ name: `${p.name} acts when its condition holds`, sessions: fixturesFor(p), expect: 'nothing' })),
      { name: 'a small, recent session is left alone', sessions: [{ key: 'agent:starter:quiet', usage: { input: '1k', output: 200 } }], expect: 'nothing' as unknown },
    ],
  };
  // Fill each case's expectations with what the policies decide now.
  const parsed = parseTestFile(out, out, stringify(draft));
  if (!parsed.file) {
    for (const e of parsed.errors) io.stderr(`${formatConfigError(e)}\n`);
    return 2;
  }
  const results = await runTestFile(parsed.file, loaded.config);
  results.forEach((result, i) => {
    const decisions = result.steps[0]?.decisions ?? [];
    draft.tests[i]!.expect = decisions.length === 0 ? 'nothing' : decisions.map((d) => expectation(d));
  });
  const header = [
    `# Starter policy tests for ${basename(file)}, written by \`clawwarden test --init\`.`,
    '# Each expectation below is what the policies decided on its fixture when this file was written:',
    '# read every one and change what you did not intend. A case that expects `nothing` for its policy',
    '# could not be made to fire automatically: adjust its fixture (usage, times, keys) until it does.',
    '# Run: clawwarden test ' + (relative(io.cwd, out) || out),
    '',
  ].join('\n');
  writeFileSync(out, header + render(draft), { flag: 'wx' });
  io.stdout(
    `Wrote ${relative(io.cwd, out) || out}: ${draft.tests.length} cases for ${loaded.config.policies.length} policies. Read the expectations, then run: clawwarden test ${relative(io.cwd, out) || out}\n`,
  );
  return 0;
}

/** YAML with each expectation, usage and call on one line, as the shipped tests are written. */
function render(draft: object): string {
  const doc = new Document(draft);
  visit(doc, {
    Pair(_, pair) {
      const key = scalar((pair.key as { value?: unknown } | null)?.value ?? '');
      const value = pair.value;
      if (key === 'usage' && isMap(value)) value.flow = true;
      if ((key === 'calls' || key === 'expect') && isSeq(value)) for (const item of value.items) if (isMap(item)) item.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

function expectation(d: { policy: string; subject: string; actions: readonly string[]; held: readonly { action: string }[]; kind: string; mode: string }): Record<string, unknown> {
  const [what, ...rest] = d.subject.split(' ');
  const subject = what === 'fleet' ? { fleet: true } : { [what!]: rest.join(' ') };
  return {
    policy: d.policy,
    ...subject,
    ...(d.kind !== 'violation' ? { kind: d.kind } : {}),
    ...(d.mode === 'observe' ? { mode: 'observe' } : {}),
    actions: [...d.actions],
    ...(d.held.length > 0 ? { held: d.held.map((h) => h.action) } : {}),
  };
}

/** A name that a glob accepts: `backend-*` → `backend-starter`. */
function fromGlob(glob: unknown, fallback: string): string {
  const first: unknown = Array.isArray(glob) ? glob[0] : glob;
  if (typeof first !== 'string') return fallback;
  return first.replace(/\*\*?/g, 'starter').replace(/[?[\]{}!]/g, 'x');
}

/** Fixture sessions meant to make one policy fire: its match filled in, its thresholds crossed (best effort). */
function fixturesFor(policy: Policy): Fixture[] {
  const match = (policy.raw['match'] ?? {}) as Record<string, unknown>;
  const agent = fromGlob(match['agent'], 'starter');
  const key = match['key'] !== undefined ? fromGlob(match['key'], `agent:${agent}:starter`) : `agent:${agent}:${policy.name}`;
  const session: Fixture = { key };
  for (const field of ['model', 'provider', 'channel', 'kind'] as const) if (match[field] !== undefined) session[field] = fromGlob(match[field], 'starter');
  if (match['agent'] !== undefined) session['agent'] = agent;
  const usage: Record<string, number> = {};
  let ratio: number | undefined;
  const apply = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(apply);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [name, value] of Object.entries(node as Record<string, unknown>)) {
      if (name === 'all') apply(value);
      else if (name === 'any') apply(Array.isArray(value) ? value[0] : value);
      else if (name === 'not') continue;
      else crossing(name, value, session, usage, (r) => (ratio = r));
    }
  };
  apply(policy.raw['when']);
  if (ratio !== undefined) {
    usage['input'] ??= 100_000;
    usage['output'] = Math.max(1, Math.floor(usage['input'] / (ratio * 2)));
  }
  if (policy.scope !== 'session') {
    // Aggregate budgets sum per-call usage inside the window: one recent call carries it.
    return [{ ...session, calls: [{ at: '-10m', ...withCost(usage) }] }];
  }
  if (Object.keys(usage).length > 0) session['usage'] = withCost(usage);
  return [session];
}

function withCost(usage: Record<string, number>): Record<string, unknown> {
  const { cost, ...tokens } = usage;
  return { ...tokens, ...(cost !== undefined ? { cost: `$${cost.toFixed(2)}` } : {}) };
}

/** Sets what one condition needs to hold: past `>` thresholds, under `<` ones, exactly at `==`. */
function crossing(name: string, raw: unknown, session: Fixture, usage: Record<string, number>, ratio: (r: number) => void): void {
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? `> ${raw}` : '';
  const m = /^(>=|<=|==|>|<)?\s*(.+)$/.exec(text);
  const op = m?.[1] ?? '>';
  const target = (value: number, whole = true): number => {
    const v = op === '>' || op === '>=' ? value * 1.2 + 1 : op === '==' ? value : value / 2;
    return whole ? Math.round(v) : v;
  };
  try {
    switch (name) {
      case 'tokens.total':
      case 'tokens.input':
        usage['input'] = target(parseCount(m?.[2]));
        return;
      case 'tokens.output':
        usage['output'] = target(parseCount(m?.[2]));
        return;
      case 'tokens.cache':
        usage['cacheRead'] = target(parseCount(m?.[2]));
        return;
      case 'cost':
        usage['cost'] = target(parseMoney(m?.[2]), false);
        return;
      case 'ratio.input_output':
        ratio(parseRatio(m?.[2]));
        return;
      case 'idle':
        session['lastActivity'] = `${formatDuration(target(parseDuration(m?.[2]))).replace(/\s+/g, '')} ago`;
        return;
      case 'idle.human':
        session['lastHuman'] = `${formatDuration(target(parseDuration(m?.[2]))).replace(/\s+/g, '')} ago`;
        return;
      case 'age':
        session['started'] = `${formatDuration(target(parseDuration(m?.[2]))).replace(/\s+/g, '')} ago`;
        return;
      case 'runtime':
        session['active'] = true;
        session['runStarted'] = `${formatDuration(target(parseDuration(m?.[2]))).replace(/\s+/g, '')} ago`;
        return;
      case 'active':
        session['active'] = raw !== false;
        return;
      case 'state': {
        const states = Array.isArray(raw) ? raw : [raw];
        const s = String(states[0]);
        if (s === 'archived') session['archived'] = true;
        else if (s === 'held' || s === 'paused') session['held'] = true;
        else if (s === 'running') session['active'] = true;
        return;
      }
      case 'burn': {
        const burn = raw as Record<string, unknown>;
        const per = parseDuration(burn['per']);
        const perCall = (burn['cost'] !== undefined ? parseMoney(scalar(burn['cost']).replace(/^[<>=\s]+/, '')) : parseCount(scalar(burn['tokens']).replace(/^[<>=\s]+/, ''))) * 0.5 + 1;
        const calls = [0.8, 0.5, 0.2].map((f) => ({
          at: `-${Math.max(1, Math.round((per * f) / 1000))}s`,
          ...(burn['cost'] !== undefined ? { input: 1000, cost: `$${perCall.toFixed(2)}` } : { input: Math.round(perCall) }),
        }));
        session['active'] = true;
        session['calls'] = calls;
        return;
      }
    }
  } catch {
    // A threshold this helper cannot read leaves the fixture as it is; the case then says `nothing`.
  }
}
