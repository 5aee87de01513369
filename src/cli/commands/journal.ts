import { loadConfig } from '../../config/index.js';
import { formatConfigError } from '../../config/errors.js';
import { parseDuration } from '../../domain/units.js';
import { Journal } from '../../state/journal.js';
import type { JournalEntry } from '../../state/journal-types.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { renderTable } from '../table.js';

const HELP = `Usage: clawwarden journal [--since 1h|ISO-TIME] [--session KEY] [--limit N] [--json] [--wide]
                          [--config FILE | --demo | --state-dir DIR]

Reads the audit journal (every decision, action and result, newest first) from the state dir.

Options:
  --since T        only entries newer than a duration ago (90s, 30m, 1h, 7d) or an ISO time
  --session KEY    only entries about this session key
  --limit N        at most N entries (default 50)
  --json           JSON lines instead of a table
  --wide           every column in full (a terminal otherwise gets a table that fits its width)
  --config FILE    read stateDir from this config; --demo: the demo config's; --state-dir: given directly
`;

export const command: Command = {
  name: 'journal',
  summary: 'read the audit journal of decisions, actions and results',
  help: HELP,
  run: (argv, io) => readJournal(argv, io),
};

async function readJournal(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      since: { type: 'string' },
      session: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
      demo: { type: 'boolean', default: false },
      'state-dir': { type: 'string' },
      wide: { type: 'boolean', default: false },
    },
    false,
  );
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit "${values.limit}" must be a whole number ≥ 1`);
  const since = typeof values.since === 'string' ? parseSince(values.since, Date.now()) : undefined;
  let stateDir = typeof values['state-dir'] === 'string' ? values['state-dir'] : undefined;
  if (stateDir === undefined) {
    const loaded = loadConfig({ ...(typeof values.config === 'string' ? { file: values.config } : {}), demo: values.demo === true, cwd: io.cwd, env: io.env });
    if (!loaded.config) {
      for (const error of loaded.errors) io.stderr(`${formatConfigError(error)}\n`);
      return 2;
    }
    stateDir = loaded.config.stateDir;
  }
  const journal = await Journal.open(stateDir, { maxBytes: Number.MAX_SAFE_INTEGER, keep: 100 });
  const session = typeof values.session === 'string' ? values.session : undefined;
  const entries = await journal.read({ limit, ...(since !== undefined ? { since } : {}), ...(session !== undefined ? { session } : {}) });
  if (values.json) {
    for (const entry of entries) io.stdout(`${JSON.stringify(entry)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    io.stdout(`No journal entries in ${stateDir}${session ? ` for ${session}` : ''}${since !== undefined ? ' in that time' : ''}.\n`);
    return 0;
  }
  // REASON says most; MODE and TYPE go first when the terminal is narrow, then SESSION and REASON are shortened.
  io.stdout(
    renderTable(['TIME', 'TYPE', 'POLICY', 'SESSION', 'ACTION', 'RESULT', 'MODE', 'REASON'], entries.map(row), [], {
      width: values.wide === true ? undefined : io.columns,
      drop: [6, 1],
      shrink: [7, 3, 2],
    }),
  );
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
