import { formatDuration } from '../../domain/units.js';
import { displayName } from '../../config/policy-files.js';
import { formatConfigError } from '../../config/errors.js';
import type { Config } from '../../config/types.js';
import { evaluate } from '../../engine/evaluate.js';
import type { Decision, PolicyAction } from '../../domain/decision.js';
import { protectionMatcher } from '../../enforcer/safety.js';
import { fleetRead, planBatch, type FleetView, type PlannedStep } from '../../enforcer/plan.js';
import { Ledger } from '../../ledger/ledger.js';
import { sourceModules } from '../../sources/index.js';
import type { Session } from '../../domain/session.js';
import type { Source, SourceContext } from '../../sources/source.js';
import type { Command, CommandIO } from '../command.js';
import { renderTable } from '../table.js';
import { loadFromFlagsAsync, parseConfigFlags, printConfigProblems, reportConfigErrors } from './validate.js';

/** How long a source may take to connect and answer before check gives up on it. */
const SOURCE_TIMEOUT_MS = 15_000;

/** What one evaluation found. */
export interface CheckPlan {
  readonly sessions: number;
  readonly decisions: readonly Decision[];
  readonly notes: readonly string[];
  /** Every step the enforcer would take or refuse, decided by the enforcer's own planning (the daemon's rules). */
  readonly steps: readonly PlannedStep[];
  /** The batch is past safety.maxActionsPerSweep: the daemon would do none of it. */
  readonly blastRadius?: { readonly planned: number; readonly limit: number };
}

/** A source that could not be read; check cannot give a plan without it. */
export class SourceReadError extends Error {
  readonly code = 'SOURCE_READ';
}

/** One evaluation over every configured source with empty enforcement state: what would be done now, and why. */
export async function planOnce(config: Config, now: () => number = Date.now): Promise<CheckPlan> {
  const context: SourceContext = { now, log: quiet };
  const sources: Source[] = [];
  try {
    for (const entry of config.sources) {
      const module = sourceModules.find((m) => m.name === entry.type);
      if (!module) throw new SourceReadError(`source "${entry.name}": unknown type "${entry.type}"`);
      sources.push(module.create(entry.name, { ...entry.options }, context));
    }
    const ledger = new Ledger();
    const sessions: Session[] = [];
    for (const source of sources) {
      const read = async (): Promise<void> => {
        await source.start();
        sessions.push(...(await source.inventory()));
        for (const baseline of await source.usage()) ledger.applyBaseline(baseline);
      };
      await within(read(), SOURCE_TIMEOUT_MS, `source "${source.name}" did not answer within ${SOURCE_TIMEOUT_MS / 1000}s`);
    }
    const state = { episodes: new Map(), warned: new Set<string>(), holds: new Map() };
    const result = evaluate({ sessions, ledger, policies: config.policies, state, now: now(), mode: config.mode });
    // The fleet as read just now: every source synced, usage as its baseline reported it.
    const fleet: FleetView = {
      ...fleetRead(new Map(sources.map((s) => [s.name, s])), sessions, ledger),
      children: (source, key) => sessions.filter((s) => s.source === source && s.parent === key),
    };
    const isProtected = protectionMatcher(config.safety.protect);
    const allow = new Map(config.policies.map((p) => [p.name, p.allowProtected]));
    const plan = planBatch(result.decisions, { fleet, limits: config.safety.maxActionsPerSweep, sessionsInScope: sessions.length, isProtected, allowProtected: (name) => allow.get(name) ?? false });
    return { sessions: sessions.length, decisions: result.decisions, notes: result.notes, steps: plan.steps, ...(plan.blastRadius ? { blastRadius: plan.blastRadius } : {}) };
  } finally {
    await Promise.allSettled(sources.map((s) => s.close()));
  }
}

/** `stop`, `notify(ops-chat)`, `cleanup(archive)`, `cleanup(delete) after 24h notice` (the session is marked first). */
export function actionText(action: PolicyAction): string {
  if (action.action === 'notify') return action.notifiers === 'all' ? 'notify' : `notify(${action.notifiers.join(', ')})`;
  const text = action.action === 'cleanup' ? `cleanup(${action.cleanup})` : action.action;
  return action.notice !== undefined ? `${text} after ${formatDuration(action.notice)} notice` : text;
}

/** What the enforcer's planning refuses of this decision, one line per reason (`stop refused on agent:x:y: …`). */
function refusals(decision: Decision, plan: CheckPlan): string[] {
  const lines: string[] = [];
  for (const step of plan.steps) {
    if (step.decision !== decision || step.verdict !== 'refused' || !step.target) continue;
    lines.push(`${step.action.action} refused on ${step.target.key}: ${step.reason ?? ''}`);
  }
  return lines;
}

const help = `Usage: clawwarden check [--config FILE | --demo] [--json] [--wide]

Loads the config, reads every source once (inventory and cumulative usage), evaluates every policy once
with empty enforcement state, and prints the plan: what would be done now, to which session or agent, and why.
Nothing is done and nothing is written.

Options:
  -c, --config FILE  the config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo             use the built-in simulated fleet and its embedded config
  --json             print { file, mode, sessions, decisions[], warnings[] } as JSON; config errors as
                     { ok: false, errors[], warnings[] }, each problem with its code
  --wide             the whole table, however wide (a terminal otherwise gets one that fits its width)

Exit status: 0 nothing to do, 1 decisions found, 2 config errors or a source that could not be read.
`;

/** `clawwarden check`: one evaluation, printed as a plan. */
export const command: Command = {
  name: 'check',
  summary: 'Evaluate the policies once and print what would be done and why',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    // --wide is check's own flag; the rest are the shared config flags.
    const wide = argv.includes('--wide');
    const flags = parseConfigFlags(
      argv.filter((a) => a !== '--wide'),
      { demo: true },
    );
    const { config, errors, warnings = [] } = await loadFromFlagsAsync(flags, io);
    if (!config) return reportConfigErrors(errors, flags, io, warnings);
    if (!flags.json) printConfigProblems(warnings, io);
    let plan: CheckPlan;
    try {
      plan = await planOnce(config);
    } catch (error) {
      io.stderr(`clawwarden check: ${(error as Error).message}\n`);
      return 2;
    }
    if (flags.json) {
      const decisions = plan.decisions.map((d) => ({ ...d, safety: refusals(d, plan) }));
      // Config warnings go to stderr as text without --json; with it they are data, each with its code.
      const configWarnings = warnings.map((w) => ({ ...w, text: formatConfigError(w) }));
      io.stdout(
        `${JSON.stringify({ file: config.file, mode: config.mode, sessions: plan.sessions, decisions, notes: plan.notes, ...(plan.blastRadius ? { blastRadius: plan.blastRadius } : {}), warnings: configWarnings }, null, 2)}\n`,
      );
      return plan.decisions.length > 0 ? 1 : 0;
    }
    if (plan.decisions.length === 0) {
      io.stdout(`Nothing to do: ${plan.sessions} sessions, ${config.policies.length} policies, no violations.\n`);
    } else {
      const rows = plan.decisions.map((d) => {
        const safety = refusals(d, plan);
        const kind = d.kind === 'violation' ? '' : `${d.kind}: `;
        return [d.policy, d.subject, `${kind}${d.actions.map(actionText).join(', ')}`, d.mode, [d.reason, ...safety.map((s) => `(${s})`)].join(' ')];
      });
      // In a narrow terminal MODE goes first, then the reason and the subject are shortened; --wide prints all of it.
      io.stdout(renderTable(['POLICY', 'SUBJECT', 'ACTIONS', 'MODE', 'REASON'], rows, [], { width: wide ? undefined : io.columns, drop: [3], shrink: [4, 1] }));
      if (plan.blastRadius)
        io.stdout(`\nBlast radius: ${plan.blastRadius.planned} actions exceed safety.maxActionsPerSweep (${plan.blastRadius.limit}); the daemon would refuse all of them and alert.\n`);
      io.stdout(
        `\n${plan.decisions.length} ${plan.decisions.length === 1 ? 'decision' : 'decisions'} over ${plan.sessions} sessions (${displayName(config.file, io.cwd)}, mode ${config.mode}); nothing was done.\n`,
      );
    }
    for (const note of plan.notes) io.stderr(`note: ${note}\n`);
    return plan.decisions.length > 0 ? 1 : 0;
  },
};

async function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SourceReadError(message)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const quiet: SourceContext['log'] = { info() {}, warn() {}, error() {}, debug() {} };
