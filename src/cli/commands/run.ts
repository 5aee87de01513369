import { loadConfigAsync } from '../../config/index.js';
import { formatConfigError } from '../../config/errors.js';
import type { Config } from '../../config/types.js';
import { LOG_LEVELS, createLogger } from '../../daemon/logger.js';
import { startWarden, type Warden } from '../../daemon/warden.js';
import type { Command, CommandIO } from '../command.js';
import { parseRunArgs } from '../run/args.js';
import { tuneHeapForIdling } from '../run/heap.js';
import { demoBanner, listenHint, stopHint } from '../run/messages.js';
import { runToken, withRunOverrides } from '../run/overrides.js';
import { probeListen, splitListen } from '../run/port.js';
import { VERSION } from '../version.js';

export { parseRunArgs } from '../run/args.js';

const HELP = `Usage: clawwarden run [--config FILE | --demo [--speed N]] [--listen HOST:PORT] [--api-token TOKEN]
                      [--log-level LEVEL] [--state-dir DIR]

Runs the watchdog daemon: connects to every configured source, evaluates the policies on the
schedule and on every usage event, enforces them, and serves /metrics, the API and the console.
Every decision and action is logged at info with its reason and numbers.

Options:
  --config FILE       config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo              run on the built-in simulated fleet (the embedded demo config) with its storyline:
                      a new runaway at ~20 s, an agent over its daily budget at ~1 min, an idle session
                      archived, then a new incident every few minutes
  --speed N           --demo only: pace of the fleet and its storyline (2 = twice as fast; default 1)
  --listen HOST:PORT  serve the API and console here instead of http.listen (default 127.0.0.1:9464)
  --api-token TOKEN   the API token for writes (the console's buttons) instead of http.token. With --demo
                      the default is CLAWWARDEN_API_TOKEN, else a random token printed once at start
  --log-level LEVEL   ${LOG_LEVELS.join(', ')} (default: the config's logLevel, info)
  --state-dir DIR     override stateDir (ledger, holds, journal)

Signals: SIGHUP reloads the config (an invalid one is rejected, the old one keeps running);
SIGTERM/SIGINT (Ctrl-C, systemctl stop) finish the action in flight, flush state and exit 0.
`;

export const command: Command = {
  name: 'run',
  summary: 'run the watchdog daemon (--demo: on the built-in simulated fleet)',
  help: HELP,
  run: (argv, io) => runDaemon(argv, io),
};

async function runDaemon(argv: readonly string[], io: CommandIO): Promise<number> {
  const args = parseRunArgs(argv);
  tuneHeapForIdling(process.execArgv, io.env);
  // Async with per-file timeouts: a reload on SIGHUP never blocks the running daemon, whatever the files are.
  const load = (): ReturnType<typeof loadConfigAsync> => loadConfigAsync({ ...(args.config !== undefined ? { file: args.config } : {}), demo: args.demo, cwd: io.cwd, env: io.env });
  const first = await load();
  if (!first.config) {
    for (const error of first.errors) io.stderr(`${formatConfigError(error)}\n`);
    io.stderr(`clawwarden run: ${first.errors.length} config error(s); not starting\n`);
    return 2;
  }
  // Decided once: a reload keeps the token the operator was told at start.
  const token = runToken(args, first.config, io.env);
  const withOverrides = (config: Config): Config => withRunOverrides(config, args, token);
  const config = withOverrides(first.config);
  const { host, port } = splitListen(config.http.listen);
  const taken = await probeListen(host, port);
  if (taken) {
    io.stderr(`clawwarden run: ${(await listenHint(taken, config.http.listen, args.demo)) ?? `cannot listen on ${config.http.listen}: ${taken.message}`}\n`);
    return 1;
  }
  const log = createLogger({ level: args.logLevel ?? config.logLevel });
  // What validate calls warnings (a cooldown shorter than the sweep, …) is said at start too, never silently accepted.
  for (const warning of first.warnings ?? []) log.warn({ warning: formatConfigError(warning) }, 'config warning');
  let warden: Warden;
  try {
    warden = await startWarden(config, { log, version: VERSION });
  } catch (error) {
    const hint = await listenHint(error, config.http.listen, args.demo);
    io.stderr(`clawwarden run: ${hint ?? `cannot start: ${(error as Error).message}`}\n`);
    return 1;
  }
  const { daemon: running, address } = warden;
  const shown = address.host.includes(':') ? `[${address.host}]` : address.host;
  const url = `http://${shown}:${address.port}/`;
  log.info(
    { listen: `${shown}:${address.port}`, mode: config.mode, policies: config.policies.length, config: config.file, apiToken: token.origin },
    `clawwarden ${VERSION} running; console at ${url}; stop with ${stopHint(io.env)}`,
  );
  if (args.demo) io.stderr(demoBanner({ url, token, speed: args.speed ?? 1, env: io.env }));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const reload = async (): Promise<void> => {
      const next = await load();
      if (!next.config) {
        log.error({ errors: next.errors.map(formatConfigError) }, `reload rejected: ${next.errors.length} config error(s); the running config stays`);
        return;
      }
      const nextConfig = withOverrides(next.config);
      if (nextConfig.http.listen !== config.http.listen) log.warn({ listen: nextConfig.http.listen }, 'http.listen changed; restart clawwarden to move the server');
      await running.reload(nextConfig);
      log.info({ policies: next.config.policies.length, mode: next.config.mode }, 'config reloaded');
    };
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping: finishing the action in flight and flushing state');
      process.off('SIGHUP', onHup);
      await warden.close();
      log.info('stopped');
      log.flush();
      resolve(0);
    };
    const onHup = (): void => void reload().catch((error: unknown) => log.error({ err: error }, 'reload failed; the running config stays'));
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
