import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/index.js';
import type { Config } from '../../config/types.js';
import { formatCount, formatMoney, parseDuration } from '../../domain/units.js';
import type { ReplayReport } from '../../replay/report.js';
import type { Timeline } from '../../replay/timeline.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { renderTable } from '../table.js';

const help = `Usage: clawwarden replay --config FILE [--since 30d] [--until TIME] [--from gateway|state]
                         [--source NAME] [--settle 5m] [--json] [--html FILE] [--wide]

Runs the config's policies over history as if they had been on, call by call, on the daemon's own engine and
enforcer: the clock moves through the history, and escalation ladders, cooldowns, budget windows, the blast radius,
protection and the fail-safe on unknown usage all apply. An action is carried out on the history: a stop ends the
rest of its run, a pause, kill or cleanup every later call of the session (until a window reset resumes it).

Reports per policy and per would-be action: when it would have acted and on what numbers, the tokens and dollars of
the calls it would have prevented, what the safety rules would have held back, and likely false positives (activity
that ended by itself within --settle anyway, or a cleaned-up session used again). What the history cannot say (a gap,
a reset, calls without a price, less history kept than asked for) is listed, never guessed.

Options:
  -c, --config FILE  the config whose policies are replayed (required)
  --since T          how far back: a duration (30d, the default) or an ISO time
  --until T          the end: an ISO time or a duration ago (default now)
  --from W           gateway: the OpenClaw gateway's transcripts (the default with an openclaw source);
                     state: the calls clawwarden recorded in stateDir/history
  --source NAME      with --from gateway: which openclaw source of the config (default the first)
  --settle D         a stop, kill or pause after which the activity ended by itself within D is flagged (default 5m)
  --json             the report as JSON (one entry per would-be action; the same history gives the same bytes)
  --html FILE        also write a self-contained HTML report (spend over time per agent, actions marked)
  --wide             every column in full

Exit status: 0 replayed, 2 config errors, unreadable history or bad usage.
`;

/** `clawwarden replay`: Cloud Custodian's --dryrun over the past. */
export const command: Command = {
  name: 'replay',
  summary: 'Run the policies over past usage as if they had been on: would-be actions and savings',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const { values } = parseCommandArgs(
      argv,
      {
        config: { type: 'string', short: 'c' },
        since: { type: 'string', default: '30d' },
        until: { type: 'string' },
        from: { type: 'string' },
        source: { type: 'string' },
        settle: { type: 'string', default: '5m' },
        json: { type: 'boolean', default: false },
        html: { type: 'string' },
        wide: { type: 'boolean', default: false },
      },
      false,
    );
    if (typeof values.config !== 'string') throw new UsageError('--config FILE is required: the policies to replay');
    const now = Date.now();
    const until = typeof values.until === 'string' ? instant('--until', values.until, now) : now;
    const since = instant('--since', String(values.since), until);
    if (since >= until) throw new UsageError(`--since (${new Date(since).toISOString()}) must be before --until (${new Date(until).toISOString()})`);
    const settleMs = duration('--settle', String(values.settle));
    const loaded = loadConfig({ file: values.config, cwd: io.cwd, env: io.env });
    if (!loaded.config) {
      for (const e of loaded.errors) io.stderr(`${formatConfigError(e)}\n`);
      return 2;
    }
    const config = loaded.config;
    const openclaw = config.sources.filter((s) => s.type === 'openclaw');
    const from = values.from ?? (openclaw.length > 0 ? 'gateway' : 'state');
    if (from !== 'gateway' && from !== 'state') throw new UsageError(`--from "${String(from)}": expected gateway or state`);
    let timeline: Timeline;
    try {
      timeline = from === 'state' ? await fromState(config, since, until) : await fromGateway(config, typeof values.source === 'string' ? values.source : undefined, since, until, now);
    } catch (error) {
      io.stderr(`clawwarden replay: ${(error as Error).message}\n`);
      return 2;
    }
    const { replay } = await import('../../replay/replay.js');
    const report = await replay({ config, timeline, settleMs });
    if (typeof values.html === 'string') {
      const { replayHtml } = await import('../../replay/html.js');
      const path = resolve(io.cwd, values.html);
      writeFileSync(path, replayHtml(report));
      if (!values.json) io.stderr(`wrote ${values.html}\n`);
    }
    if (values.json === true) {
      const { series: _, ...rest } = report;
      io.stdout(`${JSON.stringify(rest, null, 2)}\n`);
      return 0;
    }
    io.stdout(replayText(report, values.wide === true ? undefined : io.columns));
    return 0;
  },
};

async function fromState(config: Config, since: number, until: number): Promise<Timeline> {
  const { readHistory } = await import('../../replay/history-file.js');
  return readHistory(join(config.stateDir, 'history'), since, until);
}

async function fromGateway(config: Config, name: string | undefined, since: number, until: number, now: number): Promise<Timeline> {
  const candidates = config.sources.filter((s) => s.type === 'openclaw');
  const entry = name === undefined ? candidates[0] : candidates.find((s) => s.name === name);
  if (!entry)
    throw new UsageError(
      name === undefined
        ? 'the config has no openclaw source to read history from; use --from state'
        : `no openclaw source named "${name}" in the config (it has: ${candidates.map((s) => s.name).join(', ') || 'none'})`,
    );
  const { connectGateway, readGatewayHistory } = await import('../../replay/gateway.js');
  const gateway = await connectGateway(entry.options);
  try {
    return await readGatewayHistory(gateway, { source: entry.name, from: since, to: until, now });
  } finally {
    await gateway.close();
  }
}

function instant(flag: string, text: string, relativeTo: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw new UsageError(`${flag} "${text}" is not an ISO time`);
    return at;
  }
  return relativeTo - duration(flag, text);
}

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`${flag} "${text}": ${(error as Error).message}`);
  }
}

const when = (iso: string): string => iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

/** The report as tables: per policy, per would-be action, then refusals and gaps. */
export function replayText(r: ReplayReport, width?: number): string {
  const out: string[] = [];
  out.push(`Replay of ${r.origin} from ${when(r.from)} to ${when(r.to)} (config ${r.config}), every policy as if enforced.`);
  out.push(
    `${formatCount(r.totals.sessions)} sessions, ${formatCount(r.totals.calls)} calls, ${formatCount(r.totals.tokens)} tokens, ${formatMoney(r.totals.cost)} spent; ` +
      `${r.totals.actions} would-be ${r.totals.actions === 1 ? 'action' : 'actions'} would have saved ${formatCount(r.totals.savedTokens)} tokens (${formatMoney(r.totals.savedCost)}).`,
  );
  out.push('');
  out.push(
    renderTable(
      ['POLICY', 'MODE NOW', 'ACTIONS', 'SESSIONS', 'NOTICES', 'NO-OPS', 'REFUSED', 'SAVED TOKENS', 'SAVED $', 'LIKELY FP'],
      r.policies.map((p) => [
        p.policy,
        p.mode,
        String(p.actions),
        String(p.sessions),
        String(p.notifications),
        String(p.noops),
        String(p.refused),
        formatCount(p.savedTokens),
        formatMoney(p.savedCost),
        String(p.falsePositives),
      ]),
      ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      { width, shrink: [0] },
    ),
  );
  if (r.actions.length > 0) {
    out.push('');
    out.push(
      renderTable(
        ['WHEN', 'POLICY', 'SESSION', 'ACTION', 'MEASURED', 'SAVED TOKENS', 'SAVED $', 'NOTE'],
        r.actions.map((a) => [
          when(a.at),
          a.policy,
          a.session,
          a.kind === 'escalation' ? `${a.action} (step ${a.step})` : a.action,
          a.measurements.map((m) => m.text).join('; ') || a.reason,
          formatCount(a.savedTokens),
          formatMoney(a.savedCost),
          a.falsePositive ? `likely false positive: ${a.falsePositive}` : a.result === 'noop' ? 'no run to stop then' : '',
        ]),
        ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'left'],
        { width, shrink: [2, 4, 7], drop: [7] },
      ),
    );
  }
  if (r.refused.length > 0) {
    out.push('', 'Held back by the safety rules:');
    for (const x of r.refused) out.push(`  ${when(x.at)}  ${x.policy}: ${x.action} ${x.session} — ${x.why}`);
  }
  if (r.gaps.length > 0) {
    out.push('', 'What this replay cannot see:');
    for (const g of r.gaps) out.push(`  [${g.kind}] ${g.detail}`);
  }
  if (r.errors.length > 0) {
    out.push('', 'Policies that failed while replaying (skipped where they failed, as in the daemon):');
    for (const e of r.errors) out.push(`  ${e}`);
  }
  out.push('');
  return out.join('\n');
}
