import type { ValidateFunction } from 'ajv';
import type { ActionName } from '../domain/action.js';
import type { PolicyAction } from '../domain/decision.js';
import type { BudgetWindow, EscalationStep, Mode, Policy, PolicyOrigin, Scope } from './types.js';
import type { Problem, Segment } from '../domain/problem.js';
import { conditionModules } from '../conditions/index.js';
import { compileWhen } from '../conditions/when.js';
import { actionModules } from '../actions/index.js';
import { compileAction } from '../actions/compile.js';
import { compileMatch } from './match.js';
import { policySchema, policyValidator } from './schema.js';
import { parseDuration, parsePercent, UnitError } from '../domain/units.js';
import { isKnownZone } from './window.js';
import { capOf, enforcingAction } from './cap.js';
import { overlaps, rejectedPaths, schemaProblems } from '../schema/problems.js';

/** What a policy is checked against: the configured notifier names and the union of the sources' capabilities. */
export interface CompileOptions {
  readonly notifiers: readonly string[];
  readonly capabilities: ReadonlySet<ActionName>;
  /** policyValidator(), built once for many policies; built per call when absent. */
  readonly validate?: ValidateFunction;
}

type Path = readonly Segment[];
type Raw = Record<string, unknown>;

/**
 * Checks and compiles one raw policy object, reporting ALL problems with a code (paths relative to the policy); never
 * throws on malformed input. The policy schema is the one check of keys, types and enums; what it rejects is reported
 * once, as the schema says it, and not compiled. The rest is compiled, adding only what a schema cannot say: units,
 * globs, time zones, a condition outside its scopes, the escalation ladder, hard caps, notifiers and capabilities.
 */
export function compilePolicy(raw: unknown, origin: PolicyOrigin, options: CompileOptions): { policy?: Policy; problems: Problem[] } {
  const validate = options.validate ?? policyValidator();
  const problems: Problem[] = [];
  let rejected: Path[] = [];
  if (!validate(raw)) {
    const errors = validate.errors ?? [];
    problems.push(...schemaProblems(errors));
    rejected = rejectedPaths(errors);
  }
  if (!isMap(raw)) return { problems };
  // Below, a value is read with the shape the schema gives it only where `accepted` holds.
  const accepted = (path: Path): boolean => !rejected.some((r) => overlaps(r, path));
  const p = raw;
  const unit = <T>(path: Path, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push({ code: 'POLICY', path, message: error.message });
      return undefined;
    }
  };
  const duration = (value: unknown, path: Path): number | undefined => (value === undefined || !accepted(path) ? undefined : unit(path, () => parseDuration(value)));

  const scope: Scope = p.scope !== undefined && accepted(['scope']) ? (p.scope as Scope) : 'session';
  // `observe` is the policy's own dry run (decide and record exactly as in enforce, act on nothing); `dry-run` stays its alias.
  const mode: Mode | undefined = p.mode === undefined || !accepted(['mode']) ? undefined : p.mode === 'enforce' ? 'enforce' : 'dry-run';
  const window = p.window === undefined ? undefined : compileWindow(p.window, accepted, problems);
  const matches = compileMatch(p.match, ['match'], problems, accepted);
  const when = compileWhen(p.when, scope, conditionModules, ['when'], accepted);
  problems.push(...when.problems);
  const actions = compileDo(p.do, ['do'], options, accepted, problems);
  const escalate = compileLadder(p.escalate, options, accepted, problems, duration);
  const cooldown = duration(p.cooldown, ['cooldown']);
  const warn = p.warn === undefined || !accepted(['warn']) ? undefined : unit(['warn'], () => parsePercent(p.warn));
  if (p.tree === true && accepted(['tree'])) {
    if (scope !== 'session') problems.push({ code: 'POLICY', path: ['tree'], message: `tree: true measures one session and the sessions it spawned; this policy has scope ${scope}` });
    if (p.hard === true) problems.push({ code: 'POLICY', path: ['tree'], message: "hard: true holds one session's own cap at the tool boundary; it cannot be combined with tree: true" });
  }
  if (p.hard === true && accepted(['hard'])) {
    const cap = capOf(p.when);
    if (typeof cap === 'string') problems.push({ code: 'POLICY', path: ['hard'], message: `hard: true needs a token or cost cap: ${cap}` });
    if (scope !== 'session') problems.push({ code: 'POLICY', path: ['hard'], message: `hard: true applies to session caps; this policy has scope ${scope}` });
    if (actions && !enforcingAction(actions)) problems.push({ code: 'POLICY', path: ['hard'], message: 'hard: true needs stop, kill or pause in "do": a cap that only notifies has nothing to hold' });
  }

  if (problems.length > 0 || rejected.length > 0 || !when.condition || !actions || !escalate) return { problems };
  const policy: Policy = {
    name: p.name as string,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    scope,
    ...(window ? { window } : {}),
    matches,
    condition: when.condition,
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

/**
 * The policy language as config loading takes it: the schema, and compilePolicy with one validator, built on the
 * first policy compiled and kept for the rest.
 */
export function policyLanguage(): {
  schema: () => object;
  compile: (raw: unknown, origin: PolicyOrigin, context: Omit<CompileOptions, 'validate'>) => { policy?: Policy; problems: Problem[] };
} {
  let validate: ValidateFunction | undefined;
  return {
    schema: policySchema,
    compile(raw, origin, context) {
      validate ??= policyValidator();
      return compilePolicy(raw, origin, { ...context, validate });
    },
  };
}

/** `do` (one action or a list): each item the schema accepted is checked against the notifiers and capabilities. */
function compileDo(raw: unknown, path: Path, options: CompileOptions, accepted: (path: Path) => boolean, problems: Problem[]): PolicyAction[] | undefined {
  if (raw === undefined) return undefined;
  const items = Array.isArray(raw) ? raw : [raw];
  const actions: PolicyAction[] = [];
  let complete = items.length > 0;
  items.forEach((item: unknown, i) => {
    const at = Array.isArray(raw) ? [...path, i] : path;
    if (!accepted(at)) {
      complete = false;
      return;
    }
    const compiled = compileAction(item, at, actionModules, options);
    problems.push(...compiled.problems);
    if (compiled.action) actions.push(compiled.action);
    else complete = false;
  });
  return complete ? actions : undefined;
}

/** `escalate`: each step's grace period must come later than the one before it. */
function compileLadder(
  raw: unknown,
  options: CompileOptions,
  accepted: (path: Path) => boolean,
  problems: Problem[],
  duration: (value: unknown, path: Path) => number | undefined,
): EscalationStep[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return undefined;
  const steps: EscalationStep[] = [];
  let previous = 0;
  raw.forEach((step: unknown, i) => {
    if (!isMap(step)) return;
    const after = duration(step.after, ['escalate', i, 'after']);
    if (after !== undefined && after <= previous) {
      problems.push({ code: 'POLICY', path: ['escalate', i, 'after'], message: `"after" must increase along the ladder: this step's ${String(step.after)} is not later than the step before it` });
    }
    if (after !== undefined) previous = Math.max(previous, after);
    const actions = compileDo(step.do, ['escalate', i, 'do'], options, accepted, problems);
    if (after !== undefined && actions && accepted(['escalate', i])) steps.push({ after, ifActive: step.if === 'active', actions });
  });
  return steps.length === raw.length ? steps : undefined;
}

/** `window`: the schema checks every key and `at`; a time zone is checked against the zones this runtime knows. */
function compileWindow(raw: unknown, accepted: (path: Path) => boolean, problems: Problem[]): BudgetWindow | undefined {
  if (!isMap(raw)) return undefined;
  const tz = raw.tz === undefined ? 'UTC' : raw.tz;
  if (accepted(['window', 'tz']) && (typeof tz !== 'string' || !isKnownZone(tz))) {
    problems.push({ code: 'POLICY', path: ['window', 'tz'], message: `unknown time zone ${JSON.stringify(tz)}: expected an IANA zone like "UTC", "Europe/Berlin" or "America/New_York"` });
    return undefined;
  }
  if (!accepted(['window'])) return undefined;
  return { every: raw.every as BudgetWindow['every'], at: typeof raw.at === 'string' ? raw.at : '00:00', tz: tz as string };
}

function isMap(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
