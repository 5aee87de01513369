import { parseArgs } from 'node:util';
import { formatConfigError, type ConfigError } from '../../config/errors.js';
import { loadConfig, loadConfigAsync, type ConfigSource, type LoadResult } from '../../config/index.js';
import { displayName } from '../../config/policy-files.js';
import type { Config } from '../../config/types.js';
import { UsageError, type Command, type CommandIO } from '../command.js';

/** Flags shared by the commands that read the config. */
export interface ConfigFlags {
  readonly config?: string;
  readonly demo: boolean;
  readonly json: boolean;
  /** `--no-secrets`: check secret references for shape, read none. */
  readonly noSecrets?: boolean;
}

/** Parses `--config F`, `--demo` and `--no-secrets` (when the command takes them) and `--json`; unknown flags and stray words are usage errors. */
export function parseConfigFlags(argv: readonly string[], options: { demo: boolean; noSecrets?: boolean }): ConfigFlags {
  let values: { config?: string | undefined; demo?: boolean | undefined; json?: boolean | undefined; 'no-secrets'?: boolean | undefined };
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        ...(options.demo ? { demo: { type: 'boolean' as const } } : {}),
        ...(options.noSecrets ? { 'no-secrets': { type: 'boolean' as const } } : {}),
      },
    }).values as typeof values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.config !== undefined && values.demo === true) throw new UsageError('--config and --demo exclude each other: --demo uses the embedded demo config');
  return { ...(values.config !== undefined ? { config: values.config } : {}), demo: values.demo === true, json: values.json === true, noSecrets: values['no-secrets'] === true };
}

function sourceOf(flags: ConfigFlags, io: CommandIO): ConfigSource {
  return { ...(flags.config !== undefined ? { file: flags.config } : {}), demo: flags.demo, cwd: io.cwd, env: io.env, ...(flags.noSecrets ? { resolveSecrets: false } : {}) };
}

/** Loads the config the flags name, synchronously. */
export function loadFromFlags(flags: ConfigFlags, io: CommandIO): LoadResult {
  return loadConfig(sourceOf(flags, io));
}

/** Loads the config the flags name without blocking on a file (every read is given up after a timeout). */
export function loadFromFlagsAsync(flags: ConfigFlags, io: CommandIO): Promise<LoadResult> {
  return loadConfigAsync(sourceOf(flags, io));
}

/** Prints every config error and warning with its code frame to stderr, then a count (or all as JSON on stdout); the exit code for config errors is 2. */
export function reportConfigErrors(errors: readonly ConfigError[], flags: ConfigFlags, io: CommandIO, warnings: readonly ConfigError[] = []): number {
  if (flags.json) {
    const data = (list: readonly ConfigError[]): object[] => list.map((e) => ({ ...e, text: formatConfigError(e) }));
    io.stdout(`${JSON.stringify({ ok: false, errors: data(errors), warnings: data(warnings) }, null, 2)}\n`);
  } else {
    printConfigProblems([...errors, ...warnings], io);
    const counted = warnings.length > 0 ? `, ${count(warnings.length, 'warning', 'warnings')}` : '';
    io.stderr(`${count(errors.length, 'error', 'errors')}${counted}\n`);
  }
  return 2;
}

/** Prints config errors or warnings to stderr, each with its code frame. */
export function printConfigProblems(warnings: readonly ConfigError[], io: CommandIO): void {
  for (const warning of warnings) io.stderr(`${formatConfigError(warning)}\n`);
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function summary(config: Config): string {
  return `${count(config.sources.length, 'source', 'sources')}, ${count(config.policies.length, 'policy', 'policies')}, ${count(config.notifiers.length, 'notifier', 'notifiers')}, mode ${config.mode}`;
}

const help = `Usage: clawwarden validate [--config FILE] [--demo] [--no-secrets] [--json]

Checks the config file and every policy file it names: YAML syntax, each setting against the schemas the
sources, notifiers, conditions and actions declare, secret references, cron, globs and policy semantics.
Every error is printed at once as file:line:column path: message, with the source line and a caret below.
Warnings (a cooldown shorter than the time between sweeps, …) are printed the same way but do not fail.

Options:
  -c, --config FILE  the config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo             validate the embedded demo config
  --no-secrets       check secret references for their shape only: environment variables and credential
                     files need not exist (e.g. in CI, or before systemd LoadCredential= provides them)
  --json             print { ok, file, errors[], warnings[] } as JSON

Exit status: 0 valid, 2 errors (or bad usage).
`;

/** `clawwarden validate`: exit 0 when the config is valid, 2 with every error listed. */
export const command: Command = {
  name: 'validate',
  summary: 'Check the config and policy files; print every error with file:line:column',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const flags = parseConfigFlags(argv, { demo: true, noSecrets: true });
    const { config, errors, warnings = [] } = await loadFromFlagsAsync(flags, io);
    if (!config) return reportConfigErrors(errors, flags, io, warnings);
    if (flags.json) {
      const listed = warnings.map((w) => ({ ...w, text: formatConfigError(w) }));
      io.stdout(
        `${JSON.stringify({ ok: true, file: config.file, sources: config.sources.length, policies: config.policies.map((p) => p.name), notifiers: config.notifiers.map((n) => n.name), mode: config.mode, ...(flags.noSecrets ? { secrets: 'not read' } : {}), errors: [], warnings: listed }, null, 2)}\n`,
      );
      return 0;
    }
    printConfigProblems(warnings, io);
    const unread = flags.noSecrets ? '; secrets not read' : '';
    const warned = warnings.length > 0 ? `; ${count(warnings.length, 'warning', 'warnings')}` : '';
    io.stdout(`${displayName(config.file, io.cwd)}: ok (${summary(config)}${unread}${warned})\n`);
    return 0;
  },
};
