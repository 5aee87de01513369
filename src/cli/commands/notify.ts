import { parseArgs } from 'node:util';
import { formatConfigError, loadConfig } from '../../config/index.js';
import { createNotifiers } from '../../notifiers/index.js';
import { testMessage } from '../../notifiers/messages.js';
import { UsageError, type Command, type CommandIO } from '../command.js';

const HELP = `Usage: clawwarden notify test <notifier> [--config FILE] [--json]

Sends a test message through one configured notifier, right away and without the delivery queue
(no de-duplication, no rate limit, no retries), and prints whether it was delivered.
Exit 0 when the notifier accepted the message, 1 when delivery failed, 2 on config or usage errors.

Options:
  --config FILE  config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --json         print the result as JSON
`;

/** `{ notifier, type, result, detail, title }`, the `--json` output. */
export interface NotifyTestResult {
  readonly notifier: string;
  readonly type: string;
  readonly result: 'sent' | 'error';
  readonly detail: string;
  readonly title: string;
}

export const command: Command = {
  name: 'notify',
  summary: 'notify test <notifier>: send a test message through a configured notifier',
  help: HELP,
  run: (argv, io) => notify(argv, io),
};

function parse(argv: readonly string[]): { notifier: string; config?: string; json: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { config: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [sub, notifier, ...extra] = parsed.positionals;
  if (sub !== 'test') throw new UsageError(sub === undefined ? 'missing subcommand; expected: test' : `unknown subcommand "${sub}"; expected: test`);
  if (notifier === undefined) throw new UsageError('missing the notifier name: clawwarden notify test <notifier>');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return { notifier, ...(parsed.values.config !== undefined ? { config: parsed.values.config } : {}), json: parsed.values.json };
}

async function notify(argv: readonly string[], io: CommandIO): Promise<number> {
  const args = parse(argv);
  const loaded = loadConfig({ ...(args.config !== undefined ? { file: args.config } : {}), cwd: io.cwd, env: io.env });
  if (!loaded.config) {
    for (const error of loaded.errors) io.stderr(`${formatConfigError(error)}\n`);
    io.stderr(`clawwarden notify: ${loaded.errors.length} config error(s)\n`);
    return 2;
  }
  const configured = loaded.config.notifiers;
  const entry = configured.find((n) => n.name === args.notifier);
  if (!entry) {
    const known = configured.map((n) => n.name);
    io.stderr(`clawwarden notify: no notifier "${args.notifier}" in ${loaded.config.file}; ${known.length > 0 ? `expected one of: ${known.join(', ')}` : 'it configures none'}\n`);
    return 2;
  }
  const [created] = createNotifiers([entry]);
  const notifier = created?.notifier;
  if (!notifier) return 2;
  const message = testMessage(notifier.name, Date.now());
  let result: NotifyTestResult;
  try {
    await notifier.send(message);
    result = { notifier: notifier.name, type: notifier.type, result: 'sent', detail: 'delivered', title: message.title };
  } catch (error) {
    // Notifier errors are already scrubbed of URLs and passwords.
    result = { notifier: notifier.name, type: notifier.type, result: 'error', detail: error instanceof Error ? error.message : String(error), title: message.title };
  } finally {
    await notifier.close?.().catch(() => undefined);
  }
  if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
  else if (result.result === 'sent') io.stdout(`${notifier.name} (${notifier.type}): sent "${result.title}"\n`);
  else io.stderr(`${notifier.name} (${notifier.type}): FAILED — ${result.detail}\n`);
  return result.result === 'sent' ? 0 : 1;
}
