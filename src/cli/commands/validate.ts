import { parseArgs } from 'node:util';
import { formatConfigError, type ConfigError } from '../../config/errors.js';
import { loadConfig, loadConfigAsync, type LoadResult } from '../../config/load.js';
import { displayName } from '../../config/policy-files.js';
import type { Config } from '../../config/types.js';
import { UsageError, type Command, type CommandIO } from '../command.js';

/** Flags shared by the commands that read the config. */
export interface ConfigFlags {
  readonly config?: string;
  readonly demo: boolean;
  readonly json: boolean;
}

/** Parses `--config F`, `--demo` (when the command takes it) and `--json`; unknown flags and stray words are usage errors. */
export function parseConfigFlags(argv: readonly string[], options: { demo: boolean }): ConfigFlags {
  let values: { config?: string | undefined; demo?: boolean | undefined; json?: boolean | undefined };
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        ...(options.demo ? { demo: { type: 'boolean' as const } } : {}),
      },
    }).values as typeof values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.config !== undefined && values.demo === true) throw new UsageError('--config and --demo exclude each other: --demo uses the embedded demo config');
  return { ...(values.config !== undefined ? { config: values.config } : {}), demo: values.demo === true, json: values.json === true };
}

/** Loads the config the flags name, synchronously. */
export function loadFromFlags(flags: ConfigFlags, io: CommandIO): LoadResult {
  return loadConfig({ ...(flags.config !== undefined ? { file: flags.config } : {}), demo: flags.demo, cwd: io.cwd, env: io.env });
}

/** Loads the config the flags name without blocking on a file (every read is given up after a timeout). */
export function loadFromFlagsAsync(flags: ConfigFlags, io: CommandIO): Promise<LoadResult> {
  return loadConfigAsync({ ...(flags.config !== undefined ? { file: flags.config } : {}), demo: flags.demo, cwd: io.cwd, env: io.env });
}

/** Prints every config error with its code frame to stderr, then a count (or all as JSON on stdout); the exit code for config errors is 2. */
export function reportConfigErrors(errors: readonly ConfigError[], flags: ConfigFlags, io: CommandIO): number {
  if (flags.json) {
    io.stdout(`${JSON.stringify({ ok: false, errors: errors.map((e) => ({ ...e, text: formatConfigError(e) })) }, null, 2)}\n`);
  } else {
    for (const error of errors) io.stderr(`${formatConfigError(error)}\n`);
    io.stderr(`${errors.length} ${errors.length === 1 ? 'error' : 'errors'}\n`);
  }
  return 2;
}

function summary(config: Config): string {
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return `${count(config.sources.length, 'source', 'sources')}, ${count(config.policies.length, 'policy', 'policies')}, ${count(config.notifiers.length, 'notifier', 'notifiers')}, mode ${config.mode}`;
}

const help = `Usage: clawwarden validate [--config FILE] [--demo] [--json]

Checks the config file and every policy file it names: YAML syntax, each setting against the schemas the
sources, notifiers, conditions and actions declare, secret references, cron, globs and policy semantics.
Every error is printed at once as file:line:column path: message, with the source line and a caret below.

Options:
  -c, --config FILE  the config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo             validate the embedded demo config
  --json             print { ok, file, errors[] } as JSON

Exit status: 0 valid, 2 errors (or bad usage).
`;

/** `clawwarden validate`: exit 0 when the config is valid, 2 with every error listed. */
export const command: Command = {
  name: 'validate',
  summary: 'Check the config and policy files; print every error with file:line:column',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const flags = parseConfigFlags(argv, { demo: true });
    const { config, errors } = await loadFromFlagsAsync(flags, io);
    if (!config) return reportConfigErrors(errors, flags, io);
    if (flags.json) {
      io.stdout(`${JSON.stringify({ ok: true, file: config.file, sources: config.sources.length, policies: config.policies.map((p) => p.name), notifiers: config.notifiers.map((n) => n.name), mode: config.mode, errors: [] }, null, 2)}\n`);
    } else {
      io.stdout(`${displayName(config.file, io.cwd)}: ok (${summary(config)})\n`);
    }
    return 0;
  },
};
