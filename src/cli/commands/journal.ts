import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { formatConfigError } from '../../config/errors.js';
import { parseDuration } from '../../policy/units.js';
import { Journal } from '../../state/journal.js';
import type { JournalEntry } from '../../state/journal-types.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { renderTable } from '../table.js';

const HELP = `Usage: clawwarden journal [--since 1h|ISO-TIME] [--session KEY] [--limit N] [--json]
                          [--config FILE | --demo | --state-dir DIR]

Reads the audit journal (every decision, action and result, newest first) from the state dir.

Options:
  --since T        only entries newer than a duration ago (90s, 30m, 1h, 7d) or an ISO time
  --session KEY    only entries about this session key
  --limit N        at most N entries (default 50)
  --json           JSON lines instead of a table
  --config FILE    read stateDir from this config; --demo: the demo config's; --state-dir: given directly
`;

export const command: Command = {
  name: 'journal',
  summary: 'read the audit journal of decisions, actions and results',
  help: HELP,
  run: (argv, io) => readJournal(argv, io),
};

async function readJournal(argv: readonly string[], io: CommandIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        since: { type: 'string' }, session: { type: 'string' }, limit: { type: 'string', default: '50' }, json: { type: 'boolean', default: false },
        config: { type: 'string' }, demo: { type: 'boolean', default: false }, 'state-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit "${values.limit}" must be a whole number ≥ 1`);
  const since = values.since === undefined ? undefined : parseSince(values.since, Date.now());
  let stateDir = values['state-dir'];
  if (stateDir === undefined) {
    const loaded = await loadConfig({ ...(values.config !== undefined ? { file: values.config } : {}), demo: values.demo ?? false, cwd: io.cwd, env: io.env });
    if (!loaded.config) {
      for (const error of loaded.errors) io.stderr(`${formatConfigError(error)}\n`);
      return 2;
    }
    stateDir = loaded.config.stateDir;
  }
  const journal = await Journal.open(stateDir, { maxBytes: Number.MAX_SAFE_INTEGER, keep: 100 });
  const entries = await journal.read({ limit, ...(since !== undefined ? { since } : {}), ...(values.session !== undefined ? { session: values.session } : {}) });
  if (values.json) {
    for (const entry of entries) io.stdout(`${JSON.stringify(entry)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    io.stdout(`no journal entries in ${stateDir}${values.session ? ` for ${values.session}` : ''}\n`);
    return 0;
  }
  io.stdout(renderTable(['TIME', 'TYPE', 'POLICY', 'SESSION', 'ACTION', 'RESULT', 'MODE', 'REASON'], entries.map(row)));
  return 0;
}

function row(e: JournalEntry): string[] {
  const reason = e.detail && e.type === 'action' ? `${e.reason} — ${e.detail}` : e.reason;
  return [e.time.replace('T', ' ').slice(0, 19), e.type, e.policy ?? '', e.session ?? '', e.action ?? '', e.result ?? '', e.mode ?? '', reason];
}

function parseSince(text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t)) throw new UsageError(`--since "${text}" is not a valid ISO time`);
    return t;
  }
  try {
    return now - parseDuration(text);
  } catch (error) {
    throw new UsageError(`--since "${text}": ${(error as Error).message}`);
  }
}
