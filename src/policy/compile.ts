import type { ActionName } from '../domain/action.js';
import type { BudgetWindow, EscalationStep, Mode, Policy, PolicyOrigin, Scope } from './types.js';
import type { PolicyProblem } from '../domain/problem.js';
import { conditionModules } from '../conditions/index.js';
import { compileWhen } from '../conditions/when.js';
import { actionModules } from '../actions/index.js';
import { compileActions } from '../actions/compile.js';
import { compileMatch } from './match.js';
import { POLICY_KEYS } from './schema.js';
import { parseDuration, parsePercent, UnitError } from '../domain/units.js';
import { isKnownZone, parseTimeOfDay } from './window.js';
import { capOf, enforcingAction } from './cap.js';

/** What a policy is checked against: the configured notifier names and the union of the sources' capabilities. */
export interface CompileOptions {
  readonly notifiers: readonly string[];
  readonly capabilities: ReadonlySet<ActionName>;
}

type Path = readonly (string | number)[];

/**
 * Compiles one raw policy object, reporting ALL problems (paths relative to the policy). It never throws on
 * malformed input, but its structural messages are terse: run the object through policySchema() with ajv
 * first for the best structural errors, then call this for units, globs, zones, names and capabilities.
 */
export function compilePolicy(raw: unknown, origin: PolicyOrigin, options: CompileOptions): { policy?: Policy; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { problems: [{ path: [], message: `expected a policy object with keys ${POLICY_KEYS.join(', ')}`, allowed: [...POLICY_KEYS] }] };
  }
  const p = raw as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (!(POLICY_KEYS as readonly string[]).includes(key)) {
      problems.push({ path: [key], message: `unknown policy key "${key}"; expected one of: ${POLICY_KEYS.join(', ')}`, allowed: [...POLICY_KEYS] });
    }
  }
  const duration = (value: unknown, path: Path): number | undefined => {
    try {
      return parseDuration(value);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push({ path, message: error.message });
      return undefined;
    }
  };

  const name = typeof p.name === 'string' && p.name !== '' ? p.name : undefined;
  if (name === undefined) problems.push({ path: ['name'], message: 'every policy needs a name (a non-empty string)' });
  if (p.description !== undefined && typeof p.description !== 'string') problems.push({ path: ['description'], message: 'expected a string' });

  const scope = oneOf<Scope>(p.scope, ['session', 'agent', 'fleet'], 'session', ['scope'], problems);
  // `observe` is the policy's own dry run (decide and record exactly as in enforce, act on nothing); `dry-run` stays its alias.
  const written = p.mode === undefined ? undefined : oneOf(p.mode, ['enforce', 'observe', 'dry-run'] as const, 'enforce', ['mode'], problems);
  const mode: Mode | undefined = written === undefined ? undefined : written === 'enforce' ? 'enforce' : 'dry-run';
  const window = p.window === undefined ? undefined : compileWindow(p.window, problems);

  const matches = compileMatch(p.match, ['match'], problems);
  let condition;
  if (p.when === undefined) problems.push({ path: ['when'], message: 'missing "when": the condition that triggers the policy' });
  else {
    const compiled = compileWhen(p.when, scope, conditionModules, ['when']);
    problems.push(...compiled.problems);
    condition = compiled.condition;
  }
  let actions;
  if (p.do === undefined) problems.push({ path: ['do'], message: 'missing "do": the actions to take', allowed: actionModules.map((m) => m.name) });
  else {
    const compiled = compileActions(p.do, ['do'], actionModules, options);
    problems.push(...compiled.problems);
    actions = compiled.actions;
  }

  const escalate: EscalationStep[] = [];
  if (p.escalate !== undefined) {
    if (!Array.isArray(p.escalate)) problems.push({ path: ['escalate'], message: 'expected a list of steps like { after: 5m, if: active, do: kill }' });
    else {
      let previous = 0;
      p.escalate.forEach((step: unknown, i) => {
        if (typeof step !== 'object' || step === null || Array.isArray(step)) {
          problems.push({ path: ['escalate', i], message: 'expected a step like { after: 5m, if: active, do: kill }', allowed: ['after', 'if', 'do'] });
          return;
        }
        const s = step as Record<string, unknown>;
        for (const key of Object.keys(s)) {
          if (!['after', 'if', 'do'].includes(key)) problems.push({ path: ['escalate', i, key], message: `unknown step key "${key}"; expected one of: after, if, do`, allowed: ['after', 'if', 'do'] });
        }
        const after = s.after === undefined ? undefined : duration(s.after, ['escalate', i, 'after']);
        if (s.after === undefined) problems.push({ path: ['escalate', i, 'after'], message: 'missing "after": the grace period after the previous step, e.g. 5m' });
        if (after !== undefined && after <= previous) {
          problems.push({ path: ['escalate', i, 'after'], message: `"after" must increase along the ladder: this step's ${String(s.after)} is not later than the step before it` });
        }
        if (after !== undefined) previous = Math.max(previous, after);
        if (s.if !== undefined && s.if !== 'active') problems.push({ path: ['escalate', i, 'if'], message: `found ${JSON.stringify(s.if)}; expected: active`, allowed: ['active'] });
        const compiled = s.do === undefined ? undefined : compileActions(s.do, ['escalate', i, 'do'], actionModules, options);
        if (s.do === undefined) problems.push({ path: ['escalate', i, 'do'], message: 'missing "do": the actions of this step' });
        if (compiled) problems.push(...compiled.problems);
        if (after !== undefined && compiled?.actions) escalate.push({ after, ifActive: s.if === 'active', actions: compiled.actions });
      });
    }
  }

  const cooldown = p.cooldown === undefined ? undefined : duration(p.cooldown, ['cooldown']);
  let warn: number | undefined;
  if (p.warn !== undefined) {
    try {
      warn = parsePercent(p.warn);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push({ path: ['warn'], message: error.message });
    }
  }
  if (p.allowProtected !== undefined && typeof p.allowProtected !== 'boolean') problems.push({ path: ['allowProtected'], message: 'expected true or false' });
  if (p.hard !== undefined && typeof p.hard !== 'boolean') problems.push({ path: ['hard'], message: 'expected true or false' });
  if (p.tree !== undefined && typeof p.tree !== 'boolean') problems.push({ path: ['tree'], message: 'expected true or false' });
  if (p.tree === true && scope !== 'session') problems.push({ path: ['tree'], message: `tree: true measures one session and the sessions it spawned; this policy has scope ${scope}` });
  if (p.hard === true && p.tree === true) problems.push({ path: ['tree'], message: 'hard: true holds one session\'s own cap at the tool boundary; it cannot be combined with tree: true' });
  if (p.hard === true) {
    const cap = capOf(p.when);
    if (typeof cap === 'string') problems.push({ path: ['hard'], message: `hard: true needs a token or cost cap: ${cap}` });
    if (scope !== 'session') problems.push({ path: ['hard'], message: `hard: true applies to session caps; this policy has scope ${scope}` });
    if (actions && !enforcingAction(actions)) problems.push({ path: ['hard'], message: 'hard: true needs stop, kill or pause in "do": a cap that only notifies has nothing to hold' });
  }

  if (problems.length > 0 || name === undefined || !condition || !actions) return { problems };
  const policy: Policy = {
    name,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    scope,
    ...(window ? { window } : {}),
    matches,
    condition,
    actions,
    escalate,
    ...(cooldown !== undefined ? { cooldown } : {}),
    ...(warn !== undefined ? { warn } : {}),
    ...(mode !== undefined ? { mode } : {}),
    allowProtected: p.allowProtected === true,
    ...(p.hard === true ? { hard: true } : {}),
    ...(p.tree === true ? { tree: true } : {}),
    raw: { ...p, scope, ...(window ? { window } : {}) },
    origin,
  };
  return { policy, problems };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, path: Path, problems: PolicyProblem[]): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  problems.push({ path, message: `found ${JSON.stringify(value)}; expected one of: ${allowed.join(', ')}`, allowed: [...allowed] });
  return fallback;
}

function compileWindow(raw: unknown, problems: PolicyProblem[]): BudgetWindow | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ path: ['window'], message: 'expected a window like { every: day, at: "00:00", tz: Europe/Berlin }', allowed: ['every', 'at', 'tz'] });
    return undefined;
  }
  const w = raw as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(w)) {
    if (!['every', 'at', 'tz'].includes(key)) problems.push({ path: ['window', key], message: `unknown window key "${key}"; expected one of: every, at, tz`, allowed: ['every', 'at', 'tz'] });
  }
  const every = w.every === undefined ? undefined : oneOf(w.every, ['day', 'week', 'month'] as const, 'day', ['window', 'every'], problems);
  if (w.every === undefined) problems.push({ path: ['window', 'every'], message: 'missing "every"; expected one of: day, week, month', allowed: ['day', 'week', 'month'] });
  const at = w.at === undefined ? '00:00' : w.at;
  if (typeof at !== 'string' || parseTimeOfDay(at) === undefined) {
    problems.push({ path: ['window', 'at'], message: `found ${JSON.stringify(at)}: expected a 24-hour time "HH:MM" like "00:00" or "18:30"` });
  }
  const tz = w.tz === undefined ? 'UTC' : w.tz;
  if (typeof tz !== 'string' || !isKnownZone(tz)) {
    problems.push({ path: ['window', 'tz'], message: `unknown time zone ${JSON.stringify(tz)}: expected an IANA zone like "UTC", "Europe/Berlin" or "America/New_York"` });
  }
  if (problems.length > before || every === undefined) return undefined;
  return { every, at: at as string, tz: tz as string };
}
