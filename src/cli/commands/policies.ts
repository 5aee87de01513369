import { formatDuration } from '../../domain/units.js';
import type { Config } from '../../config/types.js';
import type { Policy } from '../../policy/types.js';
import type { Command, CommandIO } from '../command.js';
import { actionText } from './check.js';
import { loadFromFlags, parseConfigFlags, reportConfigErrors } from './validate.js';

const COMPARISONS: Record<string, string> = { '>': 'more than', '>=': 'at least', '<': 'less than', '<=': 'at most', '==': 'exactly' };
const METRICS: Record<string, string> = {
  'tokens.total': 'total tokens',
  'tokens.input': 'input tokens',
  'tokens.output': 'output tokens',
  'tokens.cache': 'cache tokens',
  cost: 'cost',
  'ratio.input_output': 'input/output ratio',
  idle: 'idle for',
  age: 'session age',
  runtime: 'current run time',
};

/** A threshold in words: `"> 200k"` → `more than 200k`. */
function threshold(value: unknown): string {
  const text = String(value).trim();
  const match = /^(>=|<=|==|>|<)\s*(.+)$/.exec(text);
  return match ? `${COMPARISONS[match[1]!]} ${match[2]}` : text;
}

/** A `when` tree in words: `all of (input tokens more than 50k; input/output ratio more than 40)`. */
export function describeWhen(when: unknown): string {
  if (Array.isArray(when)) return when.map(describeWhen).join(' and ');
  if (when === null || typeof when !== 'object') return String(when);
  const parts = Object.entries(when as Record<string, unknown>).map(([key, value]): string => {
    if (key === 'all' || key === 'any') {
      const items = Array.isArray(value) ? value.map(describeWhen) : [describeWhen(value)];
      return `${key} of (${items.join('; ')})`;
    }
    if (key === 'not') return `not (${describeWhen(value)})`;
    if (key === 'active') return value === false ? 'no run in progress' : 'a run is in progress';
    if (key === 'state') return `state is ${Array.isArray(value) ? value.join(' or ') : String(value)}`;
    if (key === 'burn' && value !== null && typeof value === 'object') {
      const burn = value as Record<string, unknown>;
      const what = 'cost' in burn ? 'cost' : 'tokens';
      return `burning ${threshold(burn[what])} ${what === 'cost' ? '' : 'tokens '}per ${String(burn['per'] ?? '1m')}`;
    }
    return `${METRICS[key] ?? key} ${threshold(value)}`;
  });
  return parts.join(' and ');
}

function scopeText(policy: Policy): string {
  const who = policy.scope === 'session' ? 'each session' : policy.scope === 'agent' ? 'each agent (sum of its sessions)' : 'the whole fleet';
  if (!policy.window) return who;
  return `${who}, per ${policy.window.every} from ${policy.window.at} ${policy.window.tz}`;
}

/** Everything `clawwarden policies` says about one policy, as data. */
export function explainPolicy(policy: Policy, config: Config): Record<string, unknown> {
  return {
    name: policy.name,
    ...(policy.description !== undefined ? { description: policy.description } : {}),
    origin: `${policy.origin.file}:${policy.origin.line}:${policy.origin.column}`,
    scope: policy.scope,
    ...(policy.window ? { window: policy.window } : {}),
    scopeText: scopeText(policy),
    when: policy.raw['when'],
    whenText: describeWhen(policy.raw['when']),
    do: policy.actions.map(actionText),
    escalate: policy.escalate.map((s) => ({ after: formatDuration(s.after), ifActive: s.ifActive, do: s.actions.map(actionText) })),
    ...(policy.cooldown !== undefined ? { cooldown: formatDuration(policy.cooldown) } : {}),
    ...(policy.warn !== undefined ? { warn: `${Math.round(policy.warn * 100)}%` } : {}),
    mode: policy.mode ?? config.mode,
    modeFrom: policy.mode !== undefined ? 'policy' : 'global',
    allowProtected: policy.allowProtected,
  };
}

function explainText(policy: Policy, config: Config): string {
  const e = explainPolicy(policy, config);
  const lines = [`${policy.name}  (${String(e['origin'])})`];
  if (policy.description) lines.push(`  ${policy.description}`);
  const row = (label: string, text: string): number => lines.push(`  ${label.padEnd(9)} ${text}`);
  row('scope', String(e['scopeText']));
  row('when', String(e['whenText']));
  if (policy.warn !== undefined) row('warn', `notify once at ${String(e['warn'])} of the threshold`);
  row('do', policy.actions.map(actionText).join(', '));
  for (const step of policy.escalate) row('escalate', `after ${formatDuration(step.after)}${step.ifActive ? ', if still active' : ''}: ${step.actions.map(actionText).join(', ')}`);
  if (policy.cooldown !== undefined) row('cooldown', `${formatDuration(policy.cooldown)} before it acts on the same session again`);
  row('mode', `${String(e['mode'])} (${policy.mode !== undefined ? 'set by the policy' : 'global'})`);
  if (policy.allowProtected) row('protected', 'may stop protected sessions');
  return lines.join('\n');
}

const help = `Usage: clawwarden policies [--config FILE | --demo] [--json]

Lists the loaded policies and explains each: what it watches (scope and budget window), when it fires
(in words), what it does, its escalation ladder, cooldown, soft-budget warning and mode.

Options:
  -c, --config FILE  the config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo             the policies of the embedded demo config
  --json             print the policies as JSON

Exit status: 0 listed, 2 config errors.
`;

/** `clawwarden policies`: list and explain every loaded policy. */
export const command: Command = {
  name: 'policies',
  summary: 'List and explain the loaded policies',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const flags = parseConfigFlags(argv, { demo: true });
    const { config, errors } = loadFromFlags(flags, io);
    if (!config) return reportConfigErrors(errors, flags, io);
    if (flags.json) {
      io.stdout(`${JSON.stringify({ file: config.file, mode: config.mode, policies: config.policies.map((p) => explainPolicy(p, config)) }, null, 2)}\n`);
      return 0;
    }
    if (config.policies.length === 0) {
      io.stdout(`${config.file}: no policies loaded.\n`);
      return 0;
    }
    io.stdout(`${config.policies.map((p) => explainText(p, config)).join('\n\n')}\n`);
    return 0;
  },
};
