import { parseArgs } from 'node:util';
import { LOG_LEVELS } from '../../daemon/logger.js';
import { UsageError } from '../command.js';

/** The flags of `clawwarden run`, checked. */
export interface RunArgs {
  readonly config?: string;
  readonly demo: boolean;
  readonly logLevel?: string;
  readonly stateDir?: string;
  /** `host:port` that replaces http.listen. */
  readonly listen?: string;
  /** The API token for writes; replaces http.token. */
  readonly apiToken?: string;
  /** Pace of the demo fleet and its storyline (`--demo` only). */
  readonly speed?: number;
}

const LISTEN = /^(?:\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/;

/** Parses `run` flags; throws UsageError with what was wrong and what is expected. */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        demo: { type: 'boolean', default: false },
        'log-level': { type: 'string' },
        'state-dir': { type: 'string' },
        listen: { type: 'string' },
        'api-token': { type: 'string' },
        speed: { type: 'string' },
      },
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
  const listen = values.listen;
  if (listen !== undefined) {
    const port = Number(LISTEN.exec(listen)?.[1] ?? Number.NaN);
    if (!(port >= 0 && port <= 65_535)) throw new UsageError(`--listen "${listen}": expected HOST:PORT, e.g. 127.0.0.1:9465 or [::1]:9465`);
  }
  const apiToken = values['api-token'];
  if (apiToken !== undefined && apiToken.trim().length < 8) throw new UsageError('--api-token: too short; use at least 8 characters (e.g. openssl rand -hex 32)');
  let speed: number | undefined;
  if (values.speed !== undefined) {
    if (!values.demo) throw new UsageError('--speed paces the demo fleet; it needs --demo');
    speed = Number(values.speed);
    if (!Number.isFinite(speed) || speed <= 0 || speed > 1_000) throw new UsageError(`--speed "${values.speed}": expected a number above 0 and at most 1000 (2 = twice as fast)`);
  }
  return {
    ...(values.config !== undefined ? { config: values.config } : {}),
    demo: values.demo,
    ...(logLevel !== undefined ? { logLevel } : {}),
    ...(values['state-dir'] !== undefined ? { stateDir: values['state-dir'] } : {}),
    ...(listen !== undefined ? { listen } : {}),
    ...(apiToken !== undefined ? { apiToken: apiToken.trim() } : {}),
    ...(speed !== undefined ? { speed } : {}),
  };
}
