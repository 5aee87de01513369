import { parseCount, parseDuration } from '../../domain/units.js';
import { isManualAction, MANUAL_ACTIONS, type ManualAction } from '../../actions/index.js';
import { didYouMean, parseCommandArgs } from '../args.js';
import { palette } from '../color.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { ConnectError, type ConnectionFlags } from '../sessions/connect.js';
import { connectSessions } from '../sessions/daemon-client.js';
import { isFailure, type SessionControl } from '../sessions/control.js';
import { DEMO_ACTIONS_HINT, DemoControl } from '../sessions/demo.js';
import { resultsText, sessionsTable, totalTokens, type TableStyle } from '../sessions/format.js';

const help = `Usage:
  clawwarden sessions list [--active] [--tokens N] [--agent A] [--wide] [--json] [--demo]
  clawwarden sessions ${MANUAL_ACTIONS.join('|')} <key...> [--dry-run] [--force] [--json]
  clawwarden sessions unmark <key...> [--json]
  clawwarden sessions cleanup --age 1h [--idle 30m] [--agent A] [--mode archive|delete] [--dry-run] [--force] [--json]

List and control the sessions of an OpenClaw gateway: what OpenClaw itself has no command for.
  stop     end the current run; the session stays usable
  kill     end the run and its queued work and archive the session (nothing new starts)
  pause    archive the session until resumed (new messages are refused)
  resume   restore a paused or killed session
  cleanup  archive (default) or delete sessions older than --age (and idle for --idle); main and running sessions are kept
  unmark   cancel what a policy marked the session for after a notice (do: [ { cleanup: archive, notice: 1h } ]);
           the list's MARKED column shows the countdown. Marks live in the running daemon: unmark goes through it
Main sessions cannot be archived: pausing or killing one is a hold that the running daemon keeps (clawwarden run);
straight to the gateway, only stop works on them and pause/kill/resume are refused with that hint.

Protected sessions (safety.protect) are refused, and so is a batch of more keys than safety.maxActionsPerSweep,
unless --force is given; the daemon journals the action as forced, from the CLI.

Tokens are cumulative per session (OpenClaw sessions.usage), not the last run's figures of sessions.list.
Tables fit the terminal by shortening keys; --wide prints them whole. Colour only on a terminal, never with NO_COLOR.
list --demo shows the built-in demo fleet in this process (as check --demo does); to act on the demo, start it
(npm start or clawwarden run --demo) and run the commands without --demo.
Results come one per key, in order; the exit code is 1 when any key failed, was refused or is unknown.

Connection:
  --url URL        gateway WebSocket URL (default ws://127.0.0.1:18789, or discovered)
  --token TOKEN    gateway token (default: env OPENCLAW_GATEWAY_TOKEN); prefer the env variable
  --config FILE    use the openclaw source of this clawwarden config
  --discover       read port, bind and token from ~/.openclaw/openclaw.json (default when nothing else is given)
  --direct         go straight to the gateway even while a clawwarden daemon runs

While \`clawwarden run\` is up (its /healthz answers on http.listen of --config, else on CLAWWARDEN_LISTEN or
127.0.0.1:9464), the commands go through its API so its journal and holds stay true; writes then need its API
token (http.token of --config, else env CLAWWARDEN_API_TOKEN).
`;

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const OPTIONS = {
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  active: { type: 'boolean' },
  tokens: { type: 'string' },
  agent: { type: 'string' },
  age: { type: 'string' },
  idle: { type: 'string' },
  mode: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  config: { type: 'string' },
  discover: { type: 'boolean' },
  direct: { type: 'boolean' },
  demo: { type: 'boolean' },
  wide: { type: 'boolean' },
} as const;

function parse(argv: readonly string[]): Parsed {
  return parseCommandArgs(argv, OPTIONS);
}

/** Which filters a list used, for "No sessions found matching …". */
function filtersOf(values: Parsed['values']): string {
  return [values.active === true ? '--active' : '', typeof values.agent === 'string' ? `--agent ${values.agent}` : '', typeof values.tokens === 'string' ? `--tokens ${values.tokens}` : '']
    .filter(Boolean)
    .join(' ');
}

function unit<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

/** Runs one subcommand against any SessionControl (direct or through the daemon). */
export async function runSessions(sub: string, parsed: Parsed, control: SessionControl, io: CommandIO, now: number): Promise<number> {
  const { values, positionals } = parsed;
  const json = values.json === true;
  const dryRun = values['dry-run'] === true;
  const style: TableStyle = { width: values.wide === true ? undefined : io.columns, palette: palette(io.color === true) };
  if (sub === 'list') {
    const min = values.tokens === undefined ? undefined : unit('--tokens', () => parseCount(values.tokens));
    const sessions = (await control.list())
      .filter((s) => values.active !== true || s.active)
      .filter((s) => values.agent === undefined || s.agent === values.agent)
      .filter((s) => min === undefined || totalTokens(s) >= min)
      .sort((a, b) => totalTokens(b) - totalTokens(a) || a.key.localeCompare(b.key));
    if (json) io.stdout(`${JSON.stringify(sessions, null, 2)}\n`);
    else if (sessions.length === 0) io.stdout(`No sessions found${filtersOf(values) ? ` matching ${filtersOf(values)}` : ''} on ${control.target}.\n`);
    else io.stdout(sessionsTable(sessions, now, style));
    if (!json) for (const note of (await control.sourceNotes?.()) ?? []) io.stdout(`${note}\n`);
    return 0;
  }
  if (sub === 'cleanup') {
    const mode = values.mode ?? 'archive';
    if (mode !== 'archive' && mode !== 'delete') throw new UsageError(`--mode: found "${String(mode)}"; expected archive or delete`);
    const results = await control.cleanup({
      ageMs: unit('--age', () => parseDuration(values.age)),
      ...(values.idle !== undefined && { idleMs: unit('--idle', () => parseDuration(values.idle)) }),
      ...(typeof values.agent === 'string' && { agent: values.agent }),
      mode,
      dryRun,
      ...(values.force === true && { force: true }),
    });
    io.stdout(json ? `${JSON.stringify(results, null, 2)}\n` : resultsText(results, style));
    return results.some(isFailure) ? 1 : 0;
  }
  if (sub === 'unmark') return unmark(positionals, control, io, json);
  const results = await control.act(sub as ManualAction, positionals, dryRun, values.force === true);
  io.stdout(json ? `${JSON.stringify(results, null, 2)}\n` : resultsText(results, style));
  return results.some(isFailure) ? 1 : 0;
}

/** Cancels the marks on each key; exit 1 when a key is unknown to the daemon. */
async function unmark(keys: readonly string[], control: SessionControl, io: CommandIO, json: boolean): Promise<number> {
  if (!control.unmark) {
    io.stderr(`clawwarden sessions unmark: marks are kept by the running daemon (clawwarden run); none answers for ${control.target}\n`);
    return 1;
  }
  let failed = false;
  const results = [];
  for (const key of keys) {
    const outcome = await control.unmark(key);
    results.push(outcome ?? { key, unknown: true });
    if (!outcome) failed = true;
    if (json) continue;
    if (!outcome) io.stdout(`${key}  no such session or mark\n`);
    else if (outcome.cancelled.length === 0) io.stdout(`${key}  not marked: nothing to cancel\n`);
    else for (const m of outcome.cancelled) io.stdout(`${key}  unmarked: will not ${m.action} at ${new Date(m.due).toISOString()} (policy ${m.policy})\n`);
  }
  if (json) io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  return failed ? 1 : 0;
}

/** `clawwarden sessions …`: the session commands OpenClaw users asked for. */
export const command: Command = {
  name: 'sessions',
  summary: 'list, stop, kill, pause, resume and clean up OpenClaw sessions',
  help,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const subs = ['list', 'cleanup', 'unmark', ...MANUAL_ACTIONS];
    if (sub === undefined || !subs.includes(sub)) throw new UsageError(`expected a subcommand: ${subs.join(', ')}${sub ? `; found "${sub}"${didYouMean(sub, subs)}` : ''}`);
    const parsed = parse(rest);
    if (parsed.values.demo === true && sub !== 'list') throw new UsageError(DEMO_ACTIONS_HINT);
    if (parsed.values.demo === true && (['url', 'token', 'config', 'discover', 'direct'] as const).some((f) => parsed.values[f] !== undefined)) {
      throw new UsageError('--demo lists the built-in demo fleet; it takes no connection flags (--url, --token, --config, --discover, --direct)');
    }
    if ((isManualAction(sub) || sub === 'unmark') && parsed.positionals.length === 0) throw new UsageError(`${sub} needs at least one session key`);
    if (sub === 'cleanup' && parsed.values.age === undefined) throw new UsageError('cleanup needs --age (e.g. --age 1h)');
    const flags: ConnectionFlags = {
      ...(typeof parsed.values.url === 'string' && { url: parsed.values.url }),
      ...(typeof parsed.values.token === 'string' && { token: parsed.values.token }),
      ...(typeof parsed.values.config === 'string' && { config: parsed.values.config }),
      ...(parsed.values.discover === true && { discover: true }),
    };
    let control: SessionControl;
    try {
      control = parsed.values.demo === true ? new DemoControl() : await connectSessions({ ...flags, direct: parsed.values.direct === true }, io.env, io.cwd);
    } catch (error) {
      if (error instanceof ConnectError) {
        io.stderr(`clawwarden sessions: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    try {
      return await runSessions(sub, parsed, control, io, Date.now());
    } catch (error) {
      if (error instanceof UsageError) throw error;
      io.stderr(`clawwarden sessions ${sub}: ${(error as Error).message}\n`);
      return 1;
    } finally {
      await control.close();
    }
  },
};
