import type { Config } from '../config/types.js';
import type { Decision, PolicyAction } from '../engine/types.js';
import type { Session } from '../sources/source.js';
import { Stage, type Batch } from '../replay/stage.js';
import type { Expectation, FixtureSession, TestCase, TestFile, TimeRef } from './format.js';
import { normaliseAction } from './format.js';

/** One decision as a test sees it: who decided what about whom, and what the safety rules held back. */
export interface ActualDecision {
  readonly policy: string;
  readonly subject: string;
  readonly kind: string;
  /** `enforce` or `observe`. */
  readonly mode: string;
  /** The actions carried out (or, in observe mode, that would have been), as `check` prints them. */
  readonly actions: readonly string[];
  /** Actions the safety rules held back on at least one target, each with why. */
  readonly held: readonly { readonly action: string; readonly why: string }[];
  readonly reason: string;
}

/** A difference between what a step expected and what was decided. */
export interface Problem {
  readonly kind: 'missing' | 'unexpected' | 'differs';
  readonly policy: string;
  readonly subject: string;
  readonly expected?: Expectation;
  readonly actual?: ActualDecision;
  /** One line saying what differs. */
  readonly text: string;
}

export interface StepResult {
  /** Epoch ms of the step's clock. */
  readonly at: number;
  readonly line: number;
  readonly decisions: readonly ActualDecision[];
  readonly problems: readonly Problem[];
}

export interface CaseResult {
  readonly name: string;
  readonly line: number;
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
}

/** `stop`, `notify(ops-chat)`, `cleanup(archive)` — as `check` prints them. */
export function actionLabel(action: PolicyAction): string {
  if (action.action === 'notify') return action.notifiers === 'all' ? 'notify' : `notify(${action.notifiers.join(', ')})`;
  if (action.action === 'cleanup') return `cleanup(${action.cleanup})`;
  return action.action;
}

/** Runs every case of a test file against its config: each case on a fresh stage, each step a sweep at its clock. */
export async function runTestFile(test: TestFile, config: Config): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of test.cases) results.push(await runCase(c, config));
  return results;
}

async function runCase(test: TestCase, config: Config): Promise<CaseResult> {
  const stage = new Stage({ config, now: test.now });
  const source = config.sources[0]?.name ?? 'home';
  const steps: StepResult[] = [];
  let clock = test.now;
  let calls = 0;
  for (const step of test.steps) {
    clock += step.after;
    stage.advance(clock);
    for (const fixture of step.sessions) calls = place(stage, fixture, source, clock, calls);
    const batch = await stage.evaluate({ trigger: 'sweep' });
    const decisions = actualDecisions(batch);
    steps.push({ at: clock, line: step.line, decisions, problems: compare(step.expect, decisions) });
  }
  return { name: test.name, line: test.line, ok: steps.every((s) => s.problems.length === 0), steps };
}

function resolveTime(ref: TimeRef, clock: number): number {
  return 'at' in ref ? ref.at : clock + ref.offset;
}

/** Puts a fixture session on the stage (or changes the one it has), with its calls and cumulative usage. */
function place(stage: Stage, fixture: FixtureSession, defaultSource: string, clock: number, calls: number): number {
  const source = fixture.source ?? defaultSource;
  const existing = stage.session(source, fixture.key);
  const given = new Set(fixture.given);
  const pick = <T>(key: string, fresh: T, old: T | undefined): T | undefined => (existing && !given.has(key) ? old : fresh);
  const callTimes = fixture.calls.map((c) => resolveTime(c.at, clock));
  const lastCall = callTimes.length > 0 ? Math.max(...callTimes) : undefined;
  const time = (ref: TimeRef | undefined): number | undefined => (ref === undefined ? undefined : resolveTime(ref, clock));
  const active = pick('active', fixture.active, existing?.active) ?? false;
  const startedAt = pick('started', time(fixture.startedAt) ?? (callTimes.length > 0 ? Math.min(...callTimes) : clock - 3_600_000), existing?.startedAt);
  const lastActivityAt = existing && !given.has('lastActivity') && lastCall === undefined ? existing.lastActivityAt : (time(fixture.lastActivityAt) ?? lastCall ?? clock);
  const lastHumanAt = pick('lastHuman', time(fixture.lastHumanAt), existing?.lastHumanAt);
  const runStartedAt = active ? (pick('runStarted', time(fixture.runStartedAt) ?? clock, existing?.runStartedAt) ?? clock) : undefined;
  const optional = (key: keyof Session, value: unknown): object => (value === undefined ? {} : { [key]: value });
  const session: Session = {
    source,
    key: fixture.key,
    generation: pick('generation', fixture.generation, existing?.generation) ?? 'g1',
    agent: pick('agent', fixture.agent, existing?.agent) ?? fixture.agent,
    main: pick('main', fixture.main, existing?.main) ?? false,
    archived: pick('archived', fixture.archived, existing?.archived) ?? false,
    active,
    ...optional('model', pick('model', fixture.model, existing?.model)),
    ...optional('provider', pick('provider', fixture.provider, existing?.provider)),
    ...optional('channel', pick('channel', fixture.channel, existing?.channel)),
    ...optional('kind', pick('kind', fixture.kind, existing?.kind)),
    ...optional('parent', pick('parent', fixture.parent, existing?.parent)),
    ...optional('startedAt', startedAt),
    ...optional('lastActivityAt', lastActivityAt),
    ...optional('lastHumanAt', lastHumanAt),
    ...optional('runStartedAt', runStartedAt),
  };
  const unknown = fixture.usage === 'unknown';
  stage.put(session, { usageKnown: !unknown && (fixture.usage !== undefined || fixture.calls.length > 0 || !existing) });
  fixture.calls.forEach((call, i) => {
    const { at: _, ...usage } = call;
    stage.call({ source, key: fixture.key, generation: session.generation, agent: session.agent, id: `fixture-${++calls}`, at: callTimes[i]!, ...usage });
  });
  if (given.has('held')) {
    if (fixture.held)
      stage.state.setHold({
        source,
        key: fixture.key,
        generation: session.generation,
        agent: session.agent,
        kind: session.main ? 'hold' : 'archive',
        by: 'cli',
        reason: 'held by a person (test fixture)',
        at: clock,
      });
    else stage.state.releaseHold(source, fixture.key);
  }
  if (fixture.usage !== undefined && fixture.usage !== 'unknown') {
    stage.baseline({ source, key: fixture.key, generation: session.generation, agent: session.agent, ...fixture.usage, lastActivityAt: lastActivityAt ?? clock });
  }
  return calls;
}

/** Every decision of a batch with what became of each action. */
export function actualDecisions(batch: Batch): ActualDecision[] {
  const out: ActualDecision[] = [];
  const refused = new Set(batch.refused?.decisions ?? []);
  for (const decision of [...batch.decided, ...(batch.refused?.decisions ?? [])]) {
    const labels = decision.actions.map(actionLabel);
    const held: { action: string; why: string }[] = [];
    const carried: string[] = [];
    decision.actions.forEach((action, index) => {
      const label = labels[index]!;
      if (refused.has(decision)) {
        const r = batch.refused!;
        held.push({ action: label, why: `blast radius: ${r.planned} actions planned exceed safety.maxActionsPerSweep (${r.limit} of ${r.sessionsInScope} sessions)` });
        return;
      }
      if (action.action === 'notify') {
        carried.push(label);
        return;
      }
      const outcomes = batch.outcomes.filter((o) => o.decision === decision && o.action === action.action);
      const blocked = outcomes.filter((o) => o.status === 'refused' || o.status === 'failed');
      if (blocked.length > 0) held.push({ action: label, why: [...new Set(blocked.map((o) => `${o.target.key}: ${o.detail}`))].join('; ') });
      // A notice marks instead of acting (`mark:cleanup(delete)`); when it runs out the action itself is carried.
      const marked = outcomes.length > 0 && outcomes.every((o) => o.status === 'marked' || (o.status === 'would' && o.due !== undefined));
      if (outcomes.length === 0 || blocked.length < outcomes.length) carried.push(marked ? `mark:${label}` : label);
    });
    out.push({ policy: decision.policy, subject: decision.subject, kind: decision.kind, mode: modeLabel(decision), actions: carried, held, reason: decision.reason });
  }
  return out;
}

function modeLabel(decision: Decision): string {
  return decision.mode === 'dry-run' ? 'observe' : decision.mode;
}

const list = (items: readonly string[]): string => `[${items.join(', ')}]`;

/** Matches expected and actual decisions by (policy, subject); whatever is left on either side is a problem. */
export function compare(expected: readonly Expectation[], actual: readonly ActualDecision[]): Problem[] {
  const problems: Problem[] = [];
  const left = [...actual];
  for (const e of expected) {
    const i = left.findIndex((a) => a.policy === e.policy && a.subject === e.subject);
    if (i < 0) {
      problems.push({ kind: 'missing', policy: e.policy, subject: e.subject, expected: e, text: `expected ${e.policy} on ${e.subject} to decide ${list(e.actions)}; it decided nothing` });
      continue;
    }
    const a = left.splice(i, 1)[0]!;
    const diffs: string[] = [];
    if (!same(e.actions, a.actions)) diffs.push(`actions: expected ${list(e.actions)}, got ${list(a.actions)}`);
    const held = a.held.map((h) => normaliseAction(h.action));
    if (!same(e.held, held)) diffs.push(`held back: expected ${list(e.held)}, got ${list(held)}${a.held.length > 0 ? ` (${a.held.map((h) => `${h.action}: ${h.why}`).join('; ')})` : ''}`);
    if (e.kind !== undefined && e.kind !== a.kind) diffs.push(`kind: expected ${e.kind}, got ${a.kind}`);
    if (e.mode !== undefined && e.mode !== a.mode) diffs.push(`mode: expected ${e.mode}, got ${a.mode}`);
    if (diffs.length > 0) problems.push({ kind: 'differs', policy: e.policy, subject: e.subject, expected: e, actual: a, text: diffs.join('; ') });
  }
  for (const a of left) {
    problems.push({
      kind: 'unexpected',
      policy: a.policy,
      subject: a.subject,
      actual: a,
      text: `unexpected: ${a.policy} on ${a.subject} decided ${list(a.actions)}${a.held.length > 0 ? ` (held back ${list(a.held.map((h) => h.action))})` : ''} — ${a.reason}`,
    });
  }
  return problems;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
