import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { formatConfigError } from '../../config/errors.js';
import type { Config } from '../../config/types.js';
import { LOG_LEVELS, createLogger } from '../../daemon/logger.js';
import { startWarden, type Warden } from '../../daemon/warden.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { VERSION } from '../version.js';

const HELP = `Usage: clawwarden run [--config FILE] [--demo] [--log-level LEVEL] [--state-dir DIR]

Runs the watchdog daemon: connects to every configured source, evaluates the policies on the
schedule and on every usage event, enforces them, and serves /metrics, the API and the console.

Options:
  --config FILE      config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo             run on the built-in simulated fleet (the embedded default config)
  --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default: the config's logLevel, info)
  --state-dir DIR    override stateDir (ledger, holds, journal)

Signals: SIGHUP reloads the config (an invalid one is rejected, the old one keeps running);
SIGTERM/SIGINT finish the action in flight, flush state and exit 0.
`;

export const command: Command = {
  name: 'run',
  summary: 'run the watchdog daemon (--demo: on the built-in simulated fleet)',
  help: HELP,
  run: (argv, io) => runDaemon(argv, io),
};

/** Parses `run` flags; exported for tests. */
export function parseRunArgs(argv: readonly string[]): { config?: string; demo: boolean; logLevel?: string; stateDir?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' }, demo: { type: 'boolean', default: false }, 'log-level': { type: 'string' }, 'state-dir': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const logLevel = values['log-level'];
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level "${logLevel}" is not a level; expected one of: ${LOG_LEVELS.join(', ')}`);
  }
  if (values.demo && values.config !== undefined) throw new UsageError('--demo and --config are exclusive: --demo uses the embedded demo config');
  return { ...(values.config !== undefined ? { config: values.config } : {}), demo: values.demo ?? false, ...(logLevel !== undefined ? { logLevel } : {}), ...(values['state-dir'] !== undefined ? { stateDir: values['state-dir'] } : {}) };
}

async function runDaemon(argv: readonly string[], io: CommandIO): Promise<number> {
  const args = parseRunArgs(argv);
  const load = (): ReturnType<typeof loadConfig> => loadConfig({ ...(args.config !== undefined ? { file: args.config } : {}), demo: args.demo, cwd: io.cwd, env: io.env });
  const first = await load();
  if (!first.config) {
    for (const error of first.errors) io.stderr(`${formatConfigError(error)}\n`);
    io.stderr(`clawwarden run: ${first.errors.length} config error(s); not starting\n`);
    return 2;
  }
  const withOverrides = (config: Config): Config => (args.stateDir !== undefined ? { ...config, stateDir: args.stateDir } : config);
  const config = withOverrides(first.config);
  const log = createLogger({ level: args.logLevel ?? config.logLevel });
  let warden: Warden;
  try {
    warden = await startWarden(config, { log, version: VERSION });
  } catch (error) {
    io.stderr(`clawwarden run: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  const { daemon: running, address } = warden;
  log.info({ listen: `${address.host}:${address.port}`, mode: config.mode, policies: config.policies.length, config: config.file }, `clawwarden ${VERSION} running; console at http://${address.host}:${address.port}/`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const reload = async (): Promise<void> => {
      const next = await load();
      if (!next.config) {
        log.error({ errors: next.errors.map(formatConfigError) }, `reload rejected: ${next.errors.length} config error(s); the running config stays`);
        return;
      }
      if (next.config.http.listen !== config.http.listen) log.warn({ listen: next.config.http.listen }, 'http.listen changed; restart clawwarden to move the server');
      await running.reload(withOverrides(next.config));
      log.info({ policies: next.config.policies.length, mode: next.config.mode }, 'config reloaded');
    };
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping: finishing the action in flight and flushing state');
      process.off('SIGHUP', onHup);
      await warden.close();
      log.info('stopped');
      log.flush?.();
      resolve(0);
    };
    const onHup = (): void => void reload().catch((error: unknown) => log.error({ err: error }, 'reload failed; the running config stays'));
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
