import type { Policy } from '../policy/types.js';
import type { ActionName } from '../domain/action.js';
import type { SweepInterval } from './cron.js';
import type { ConfigError, ConfigErrorCode } from './errors.js';
import { checkPolicy } from './policy-checks.js';
import type { PolicyLanguage } from './schema.js';
import { formatPath } from '../schema/problems.js';
import type { WrittenPolicy } from './policy-files.js';
import type { Segment } from './yaml-file.js';

/** What compiling policies needs: the policy language and what the config offers. */
export interface PolicyCompileContext {
  readonly language: PolicyLanguage;
  readonly notifiers: readonly string[];
  readonly capabilities: ReadonlySet<ActionName>;
  /** The time between sweeps, when the schedule is valid: cooldowns and escalation steps are compared with it. */
  readonly sweep?: SweepInterval;
}

/**
 * Checks and compiles each written policy (the language reports every problem with its code), and checks names are
 * unique. Every message is prefixed with the policy (`policies[2] "idle-gpu" › do[0]`) and located in the policy's own file.
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
    const at = file.position(base);
    const origin = { file: file.file, line: at.line, column: at.column, path: entry.label };
    const result = context.language.compile(entry.raw, origin, { notifiers: context.notifiers, capabilities: context.capabilities });
    for (const problem of result.problems) {
      const extra: Partial<ConfigError> = {
        ...(problem.allowed ? { allowed: problem.allowed } : {}),
        ...(problem.suggestion !== undefined ? { suggestion: problem.suggestion } : {}),
        ...(problem.severity ? { severity: problem.severity } : {}),
      };
      push(problem.code, problem.path, problem.message, extra, problem.target ?? 'value');
    }
    if (result.problems.length === 0 && result.policy) {
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
