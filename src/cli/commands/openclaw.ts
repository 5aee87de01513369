import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Config } from '../../config/types.js';
import { guardDirProblem, planInstall, planUninstall, type InstallPlan } from '../../guard/install.js';
import { guardedSources } from '../../config/settings.js';
import { stripJson5Comments } from '../../sources/openclaw/discover.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { loadFromFlagsAsync, reportConfigErrors } from './validate.js';

const HELP = `Usage: clawwarden openclaw install-guard [--config FILE] [--openclaw-config FILE] [--source NAME] [--url URL] [--dry-run] [--json]
       clawwarden openclaw uninstall-guard [--openclaw-config FILE] [--dry-run] [--json]

install-guard adds clawwarden's in-gateway guard (the OpenClaw plugin shipped in this package's guard/ folder) to
a gateway's config: its folder to plugins.load.paths, an enabled plugins.entries.clawwarden-guard with
hooks.allowConversationAccess and its settings (the daemon's guard channel URL and token from the guard: block of
the clawwarden config, the source name, failMode), and its id to plugins.allow when that list is restrictive.
Running it again changes nothing. It prints every change; the token is never printed. Restart the gateway
afterwards so it loads the plugin. uninstall-guard removes all of it again.

Options:
  -c, --config FILE        the clawwarden config with the guard: block (default ./clawwarden.yaml, then
                           /etc/clawwarden/config.yaml)
  --openclaw-config FILE   the gateway's config (default ~/.openclaw/openclaw.json, or $OPENCLAW_STATE_DIR/openclaw.json)
  --source NAME            which openclaw source of the clawwarden config this gateway is (needed with several)
  --url URL                where the guard reaches the daemon (default http://<guard.listen>)
  --dry-run                print what would change; write nothing
  --json                   print { file, dryRun, changed, changes[], notes[] }

The file is rewritten as JSON (comments are not kept; the previous version is saved as FILE.clawwarden.bak).
Exit status: 0 done (or nothing to do), 1 the guard cannot be installed as asked, 2 bad usage or config.
`;

/** The guard folder of this clawwarden install (dist/cli/commands or src/cli/commands → the package root). */
export function shippedGuardDir(): string {
  return fileURLToPath(new URL('../../../guard', import.meta.url));
}

export const command: Command = {
  name: 'openclaw',
  summary: 'install-guard, uninstall-guard: add or remove the in-gateway guard in an OpenClaw config',
  help: HELP,
  async run(argv, io) {
    const [verb, ...rest] = argv;
    if (verb === 'install-guard') return install(rest, io);
    if (verb === 'uninstall-guard') return uninstall(rest, io);
    throw new UsageError(verb === undefined ? 'expected install-guard or uninstall-guard' : `unknown subcommand "${verb}"; expected install-guard or uninstall-guard`);
  },
};

function openclawConfigFile(given: string | undefined, io: CommandIO): string {
  if (given !== undefined) return isAbsolute(given) ? given : resolve(io.cwd, given);
  return join(io.env['OPENCLAW_STATE_DIR'] ?? join(io.env['HOME'] ?? homedir(), '.openclaw'), 'openclaw.json');
}

async function install(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      config: { type: 'string', short: 'c' },
      'openclaw-config': { type: 'string' },
      source: { type: 'string' },
      url: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    false,
  );
  const json = values['json'] === true;
  const flags = { ...(typeof values['config'] === 'string' ? { config: values['config'] } : {}), demo: false, json };
  const { config, errors, warnings = [] } = await loadFromFlagsAsync(flags, io);
  if (!config) return reportConfigErrors(errors, flags, io, warnings);
  if (!config.guard) {
    io.stderr(
      `clawwarden openclaw install-guard: ${config.file} has no guard: block. Add one, e.g.\n  guard:\n    listen: 127.0.0.1:9465\n    token: \${env:CLAWWARDEN_GUARD_TOKEN}   # at least 16 characters; or { file: /path }\nthen run this again.\n`,
    );
    return 2;
  }
  const source = pickSource(config, typeof values['source'] === 'string' ? values['source'] : undefined);
  const guardDir = shippedGuardDir();
  const problem = guardDirProblem(guardDir);
  if (problem) {
    io.stderr(`clawwarden openclaw install-guard: ${problem}\n`);
    return 1;
  }
  const url = typeof values['url'] === 'string' ? values['url'].replace(/\/+$/, '') : guardUrl(config.guard.listen);
  const file = openclawConfigFile(typeof values['openclaw-config'] === 'string' ? values['openclaw-config'] : undefined, io);
  const read = await readOpenClawConfig(file, io, 'install-guard');
  if (typeof read === 'number') return read;
  const plan = planInstall(read.document, guardDir, { url, token: config.guard.token.reveal(), source, failMode: config.guard.failMode });
  return finish(plan, { file, text: read.text, dryRun: values['dry-run'] === true, json, io, verb: 'install-guard' });
}

async function uninstall(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(argv, { 'openclaw-config': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, false);
  const file = openclawConfigFile(typeof values['openclaw-config'] === 'string' ? values['openclaw-config'] : undefined, io);
  const read = await readOpenClawConfig(file, io, 'uninstall-guard');
  if (typeof read === 'number') return read;
  const plan = planUninstall(read.document, shippedGuardDir());
  return finish(plan, { file, text: read.text, dryRun: values['dry-run'] === true, json: values['json'] === true, io, verb: 'uninstall-guard' });
}

function pickSource(config: Config, wanted: string | undefined): string {
  const guarded = guardedSources(config.sources, config.guard);
  if (wanted !== undefined) {
    if (!guarded.includes(wanted)) throw new UsageError(`--source ${wanted} is not a guarded openclaw source of ${config.file} (guarded: ${guarded.join(', ') || 'none'})`);
    return wanted;
  }
  if (guarded.length === 1) return guarded[0]!;
  if (guarded.length === 0) throw new UsageError(`${config.file} has no openclaw source for the guard (check guard.sources)`);
  throw new UsageError(`${config.file} guards several sources (${guarded.join(', ')}); say which gateway this is with --source NAME`);
}

/** `127.0.0.1:9465` → `http://127.0.0.1:9465`; a wildcard listener is reached on loopback. */
export function guardUrl(listen: string): string {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  const host = m ? (m[1] ?? m[2]!) : '127.0.0.1';
  const port = m ? m[3] : '9465';
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

async function readOpenClawConfig(file: string, io: CommandIO, verb: string): Promise<{ document: Record<string, unknown>; text: string } | number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.stderr(`clawwarden openclaw ${verb}: cannot read ${file}: ${(error as Error).message}\n(the gateway's config; give another with --openclaw-config FILE)\n`);
    return 1;
  }
  try {
    const parsed = parse(stripJson5Comments(text)) as unknown;
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) throw new Error('not an object');
    return { document: (parsed ?? {}) as Record<string, unknown>, text };
  } catch (error) {
    io.stderr(`clawwarden openclaw ${verb}: ${file} is not valid JSON5: ${(error as Error).message}\n`);
    return 1;
  }
}

async function finish(plan: InstallPlan, o: { file: string; text: string; dryRun: boolean; json: boolean; io: CommandIO; verb: string }): Promise<number> {
  const { io } = o;
  if (plan.blocked) {
    if (o.json) io.stdout(`${JSON.stringify({ file: o.file, dryRun: o.dryRun, changed: false, changes: [], notes: plan.notes, error: plan.blocked }, null, 2)}\n`);
    else io.stderr(`clawwarden openclaw ${o.verb}: ${plan.blocked}\n`);
    return 1;
  }
  const changed = plan.changes.length > 0;
  const comments = /\/\/|\/\*/.test(o.text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'));
  if (changed && !o.dryRun) {
    const mode = (await stat(o.file)).mode & 0o777;
    await writeFile(`${o.file}.clawwarden.bak`, o.text, { mode });
    const temp = `${o.file}.clawwarden-${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(plan.document, null, 2)}\n`, { mode });
    await rename(temp, o.file);
  }
  const notes = [...plan.notes, ...(changed && comments ? [`comments in ${o.file} were not kept; the previous file is ${o.file}.clawwarden.bak`] : [])];
  if (o.json) {
    io.stdout(`${JSON.stringify({ file: o.file, dryRun: o.dryRun, changed, changes: plan.changes, notes }, null, 2)}\n`);
    return 0;
  }
  const installing = o.verb === 'install-guard';
  if (!changed) {
    io.stdout(`${o.file}: ${installing ? 'the clawwarden guard is installed already' : 'no clawwarden guard to remove'}; nothing changed\n`);
  } else {
    io.stdout(`${o.dryRun ? 'Would change' : 'Changed'} ${o.file}:\n`);
    for (const c of plan.changes) io.stdout(`  ${c.path}: ${c.change}\n`);
    if (!o.dryRun) {
      io.stdout(`The previous file is ${o.file}.clawwarden.bak.\n`);
      io.stdout(
        installing
          ? 'Restart the gateway to load the guard (e.g. openclaw gateway restart, or restart its service), then check:\n  openclaw plugins inspect clawwarden-guard --runtime --json\n'
          : 'Restart the gateway to unload the guard.\n',
      );
    }
  }
  for (const note of notes) io.stderr(`note: ${note}\n`);
  return 0;
}
