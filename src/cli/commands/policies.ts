import { formatCount, formatDuration, formatMoney, parseDuration } from '../../domain/units.js';
import { policyActivity, type PolicyActivity } from '../../replay/evidence.js';
import type { Config } from '../../config/types.js';
import type { Policy } from '../../policy/types.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
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
      return `burning ${threshold(burn[what])} ${what === 'cost' ? '' : 'tokens '}per ${typeof burn['per'] === 'string' ? burn['per'] : '1m'}`;
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
    mode: policy.mode !== undefined ? String(policy.raw['mode']) : config.mode,
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

const help = `Usage: clawwarden policies [--config FILE | --demo] [--since 7d] [--json]

Lists the loaded policies and explains each: what it watches (scope and budget window), when it fires
(in words), what it does, its escalation ladder, cooldown, soft-budget warning and mode.

Options:
  -c, --config FILE  the config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo             the policies of the embedded demo config
  --since T          also what each policy did, or in observe mode would have done, since a duration ago (7d) or an
                     ISO time, from the daemon's journal: how often, on which sessions, and what those sessions spent
                     after it — the evidence for promoting an observed policy to enforce
  --json             print the policies as JSON

Exit status: 0 listed, 2 config errors.
`;

/** `clawwarden policies`: list and explain every loaded policy. */
export const command: Command = {
  name: 'policies',
  summary: 'List and explain the loaded policies',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const { since, rest } = sinceFlag(argv);
    const flags = parseConfigFlags(rest, { demo: true });
    const { config, errors } = loadFromFlags(flags, io);
    if (!config) return reportConfigErrors(errors, flags, io);
    const evidence = since === undefined ? undefined : await policyActivity(config.stateDir, since.at);
    const activityOf = (p: Policy): PolicyActivity | undefined => (evidence ? (evidence.activity.get(p.name) ?? { policy: p.name, decisions: 0, results: {}, actions: {}, sessions: [] }) : undefined);
    if (flags.json) {
      const policies = config.policies.map((p) => ({ ...explainPolicy(p, config), ...(evidence ? { activity: activityOf(p) } : {}) }));
      io.stdout(`${JSON.stringify({ file: config.file, mode: config.mode, ...(since ? { since: new Date(since.at).toISOString() } : {}), policies }, null, 2)}\n`);
      return 0;
    }
    if (config.policies.length === 0) {
      io.stdout(`${config.file}: no policies loaded.\n`);
      return 0;
    }
    io.stdout(`${config.policies.map((p) => explainText(p, config) + (since ? `\n${activityText(activityOf(p)!, since.text, (p.mode ?? config.mode) === 'dry-run')}` : '')).join('\n\n')}\n`);
    if (evidence?.note) io.stderr(`note: ${evidence.note}\n`);
    return 0;
  },
};

/** Takes `--since T` (a duration ago or an ISO time) out of the arguments. */
function sinceFlag(argv: readonly string[]): { since?: { at: number; text: string }; rest: string[] } {
  const rest: string[] = [];
  let since: { at: number; text: string } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const inline = /^--since=(.*)$/.exec(arg)?.[1];
    if (arg !== '--since' && inline === undefined) {
      rest.push(arg);
      continue;
    }
    const text = inline ?? argv[++i];
    if (text === undefined || text === '') throw new UsageError('--since needs a value: a duration (7d) or an ISO time');
    if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
      const at = Date.parse(text);
      if (Number.isNaN(at)) throw new UsageError(`--since "${text}" is not an ISO time`);
      since = { at, text: `since ${new Date(at).toISOString()}` };
    } else {
      try {
        since = { at: Date.now() - parseDuration(text), text: `last ${text}` };
      } catch (error) {
        throw new UsageError(`--since "${text}": ${(error as Error).message}`);
      }
    }
  }
  return { ...(since ? { since } : {}), rest };
}

/** `last 7d   would have acted 5× on 4 sessions (kill ×5); they spent 1.2M tokens ($4.10) after: …`. */
function activityText(a: PolicyActivity, span: string, observe: boolean): string {
  const done = a.results['done'] ?? 0;
  const would = a.results['would'] ?? 0;
  const refused = a.results['refused'] ?? 0;
  const label = `  ${span.padEnd(9)} `;
  if (done + would + refused === 0 && a.decisions === 0) return `${label}did not act`;
  const kinds = Object.entries(a.actions)
    .map(([action, n]) => `${action} ×${n}`)
    .join(', ');
  const parts: string[] = [];
  if (done > 0) parts.push(`acted ${done}× on ${a.sessions.length} ${a.sessions.length === 1 ? 'session' : 'sessions'}`);
  if (would > 0) parts.push(`would have acted ${would}× on ${a.sessions.length} ${a.sessions.length === 1 ? 'session' : 'sessions'}`);
  if (done + would === 0) parts.push(`decided ${a.decisions}× (notifications only)`);
  const line = `${label}${parts.join('; ')}${kinds ? ` (${kinds})` : ''}${refused > 0 ? `; ${refused} held back by the safety rules` : ''}`;
  const sessions = a.sessions.length > 0 ? `\n            on ${a.sessions.slice(0, 5).join(', ')}${a.sessions.length > 5 ? ` and ${a.sessions.length - 5} more` : ''}` : '';
  const spent = a.spentAfter
    ? `\n            they spent ${formatCount(a.spentAfter.tokens)} tokens (${formatMoney(a.spentAfter.cost)}) after its first decision${observe ? ': at most what enforcing it would have saved' : ' (what got through anyway)'}`
    : '';
  return `${line}${sessions}${spent}`;
}
