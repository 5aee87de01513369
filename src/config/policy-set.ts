import type { ValidateFunction } from 'ajv';
import { isScalar } from 'yaml';
import type { Policy } from '../policy/types.js';
import type { ActionName } from '../domain/action.js';
import type { SweepInterval } from './cron.js';
import { closest, type ConfigError, type ConfigErrorCode } from './errors.js';
import { checkPolicy } from './policy-checks.js';
import type { PolicyProblem } from '../domain/problem.js';
import type { PolicyLanguage } from './schema.js';
import { formatPath, schemaIssues } from './schema-errors.js';
import type { WrittenPolicy } from './policy-files.js';
import type { Segment } from './yaml-file.js';

/** What compiling policies needs: the policy schema's validator, the compiler, and what the config offers. */
export interface PolicyCompileContext {
  readonly validate: ValidateFunction;
  readonly language: PolicyLanguage;
  readonly notifiers: readonly string[];
  readonly capabilities: ReadonlySet<ActionName>;
  /** The time between sweeps, when the schedule is valid: cooldowns and escalation steps are compared with it. */
  readonly sweep?: SweepInterval;
}

/**
 * Validates each written policy against the policy schema, compiles the valid ones, and checks names are unique.
 * Every message is prefixed with the policy (`policies[2] "idle-gpu" › do[0]`) and located in the policy's own file.
 */
export function compilePolicies(written: readonly WrittenPolicy[], context: PolicyCompileContext): { policies: Policy[]; errors: ConfigError[]; warnings: ConfigError[] } {
  const policies: Policy[] = [];
  const errors: ConfigError[] = [];
  const warnings: ConfigError[] = [];
  const firstByName = new Map<string, WrittenPolicy>();
  for (const entry of written) {
    const { file, base } = entry;
    const name = nameOf(entry.raw);
    const push = (code: ConfigErrorCode, rel: readonly Segment[], message: string, extra: Partial<ConfigError> = {}, target: 'value' | 'key' = 'value'): void => {
      const pos = file.position([...base, ...rel], target);
      const prefix = name !== undefined ? `${entry.label} "${name}"` : entry.label;
      const error: ConfigError = { code, file: file.file, line: pos.line, column: pos.column, path: rel.length > 0 ? `${prefix} › ${formatPath(rel)}` : prefix, message, ...extra };
      (error.severity === 'warning' ? warnings : errors).push(error);
    };
    if (name !== undefined) {
      const first = firstByName.get(name);
      if (first) {
        const at = first.file.position([...first.base, 'name']);
        push('DUPLICATE_POLICY', ['name'], `duplicate policy name "${name}"; first declared at ${first.file.file}:${at.line}:${at.column}`);
      } else {
        firstByName.set(name, entry);
      }
    }
    const reported: (readonly Segment[])[] = [];
    if (!context.validate(entry.raw)) {
      for (const issue of schemaIssues(context.validate.errors ?? [])) {
        reported.push(issue.path);
        push(issue.code, issue.path, issue.message, { ...(issue.allowed ? { allowed: issue.allowed } : {}), ...(issue.suggestion !== undefined ? { suggestion: issue.suggestion } : {}) }, issue.target);
      }
    }
    const at = file.position(base);
    const origin = { file: file.file, line: at.line, column: at.column, path: entry.label };
    const result = context.language.compile(entry.raw, origin, { notifiers: context.notifiers, capabilities: context.capabilities });
    for (const problem of result.problems) {
      const rel = [...problem.path];
      // The compiler also sees structural faults; the schema's message about the same spot is the better one.
      if (reported.some((path) => overlaps(path, rel))) continue;
      const last = rel.at(-1);
      // A problem about a key (unknown action `{ kil: … }`) points at the key and suggests from it.
      const aboutKey = typeof last === 'string' && problem.allowed !== undefined && problem.message.includes(`"${last}"`) && !problem.allowed.includes(last);
      const extra: Partial<ConfigError> = problem.allowed ? { allowed: problem.allowed } : {};
      const found = aboutKey ? last : scalarText(file.node([...base, ...rel]));
      const suggestion = problem.allowed && found !== undefined ? closest(found, problem.allowed) : undefined;
      push(codeOf(problem), rel, problem.message, suggestion !== undefined ? { ...extra, suggestion } : extra, aboutKey ? 'key' : 'value');
    }
    if (reported.length === 0 && result.problems.length === 0 && result.policy) {
      const findings = checkPolicy(result.policy, context.sweep);
      for (const finding of findings) push(finding.code, finding.path, finding.message, finding.severity ? { severity: finding.severity } : {});
      if (!findings.some((f) => f.severity === undefined)) policies.push(result.policy);
    }
  }
  return { policies, errors, warnings };
}

function nameOf(raw: unknown): string | undefined {
  const name = (raw as Record<string, unknown> | null)?.['name'];
  return typeof name === 'string' ? name : undefined;
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** The compiler reports problems as text; the error kinds that matter to tooling get their own code. */
function codeOf(problem: PolicyProblem): ConfigErrorCode {
  const code = (problem as { code?: unknown }).code;
  if (code === 'UNKNOWN_NOTIFIER' || code === 'UNSUPPORTED_ACTION' || code === 'BAD_GLOB') return code;
  if (problem.message.startsWith('unknown notifier')) return 'UNKNOWN_NOTIFIER';
  if (problem.message.startsWith('no configured source can')) return 'UNSUPPORTED_ACTION';
  if (problem.message.startsWith('bad glob')) return 'BAD_GLOB';
  return 'POLICY';
}

function overlaps(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
