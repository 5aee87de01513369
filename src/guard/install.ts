import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailMode } from './protocol.js';

/** The guard plugin's id (its openclaw.plugin.json). */
export const GUARD_PLUGIN_ID = 'clawwarden-guard';

/** What install-guard puts into `plugins.entries.clawwarden-guard.config`. */
export interface GuardPluginSettings {
  readonly url: string;
  readonly token: string;
  readonly source: string;
  readonly failMode: FailMode;
}

/** One change to openclaw.json, in words (the token is never shown). */
export interface ConfigChange {
  readonly path: string;
  readonly change: string;
}

/** The result of planning: the document to write and what differs from the one read. */
export interface InstallPlan {
  readonly document: Record<string, unknown>;
  readonly changes: readonly ConfigChange[];
  /** Why the guard would not load even after the changes (nothing is written then). */
  readonly blocked?: string;
  /** Worth saying, but not stopping the install. */
  readonly notes: readonly string[];
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function section(doc: Json, key: string): Json {
  const existing = doc[key];
  if (isMap(existing)) return existing;
  const fresh: Json = {};
  doc[key] = fresh;
  return fresh;
}

/**
 * Adds the guard to an OpenClaw config (a parsed openclaw.json): its directory to `plugins.load.paths`, an enabled
 * `plugins.entries.clawwarden-guard` with conversation access (for `before_agent_run` and `llm_output`) and its
 * settings, and its id to a restrictive `plugins.allow`. Idempotent: planning over an installed guard changes nothing.
 */
export function planInstall(original: Json, guardDir: string, settings: GuardPluginSettings): InstallPlan {
  const doc = structuredClone(original);
  const changes: ConfigChange[] = [];
  const notes: string[] = [];
  const plugins = section(doc, 'plugins');
  if (Array.isArray(plugins['deny']) && plugins['deny'].includes(GUARD_PLUGIN_ID)) {
    return { document: original, changes: [], notes, blocked: `plugins.deny lists ${GUARD_PLUGIN_ID}; remove it from the deny list first (deny wins over everything)` };
  }
  if (plugins['enabled'] === false) notes.push('plugins.enabled is false in this config: no plugin loads, the guard neither; set it to true');

  const load = section(plugins, 'load');
  const paths = Array.isArray(load['paths']) ? (load['paths'] as unknown[]) : [];
  if (!paths.includes(guardDir)) {
    load['paths'] = [...paths, guardDir];
    changes.push({ path: 'plugins.load.paths', change: `+ ${guardDir}` });
  }

  const entries = section(plugins, 'entries');
  const entry = section(entries, GUARD_PLUGIN_ID);
  if (entry['enabled'] !== true) {
    entry['enabled'] = true;
    changes.push({ path: `plugins.entries.${GUARD_PLUGIN_ID}.enabled`, change: 'true' });
  }
  const hooks = section(entry, 'hooks');
  if (hooks['allowConversationAccess'] !== true) {
    hooks['allowConversationAccess'] = true;
    changes.push({ path: `plugins.entries.${GUARD_PLUGIN_ID}.hooks.allowConversationAccess`, change: 'true (before_agent_run and llm_output are conversation hooks)' });
  }
  const config = section(entry, 'config');
  const wanted: Record<keyof GuardPluginSettings, string> = { url: settings.url, token: settings.token, source: settings.source, failMode: settings.failMode };
  for (const [key, value] of Object.entries(wanted) as [keyof GuardPluginSettings, string][]) {
    if (config[key] === value) continue;
    config[key] = value;
    changes.push({ path: `plugins.entries.${GUARD_PLUGIN_ID}.config.${key}`, change: key === 'token' ? '[set from guard.token]' : value });
  }
  if ('tokenFile' in config) {
    delete config['tokenFile'];
    changes.push({ path: `plugins.entries.${GUARD_PLUGIN_ID}.config.tokenFile`, change: 'removed (the token is set)' });
  }

  const allow = plugins['allow'];
  if (Array.isArray(allow) && !allow.includes(GUARD_PLUGIN_ID)) {
    plugins['allow'] = [...(allow as unknown[]), GUARD_PLUGIN_ID];
    changes.push({ path: 'plugins.allow', change: `+ ${GUARD_PLUGIN_ID} (the list is restrictive)` });
  }
  return { document: changes.length > 0 ? doc : original, changes, notes };
}

/** True when `dir` holds the clawwarden guard (any copy, not only this package's). */
export function isGuardDir(dir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'openclaw.plugin.json'), 'utf8')) as { id?: unknown };
    return manifest.id === GUARD_PLUGIN_ID;
  } catch {
    return false;
  }
}

/** Undoes planInstall: the load path(s) of the guard, its entry, and its id in `plugins.allow`. */
export function planUninstall(original: Json, guardDir: string, isGuard: (dir: string) => boolean = isGuardDir): InstallPlan {
  const doc = structuredClone(original);
  const changes: ConfigChange[] = [];
  const plugins = doc['plugins'];
  if (!isMap(plugins)) return { document: original, changes, notes: [] };
  const load = plugins['load'];
  if (isMap(load) && Array.isArray(load['paths'])) {
    const kept = (load['paths'] as unknown[]).filter((p) => !(typeof p === 'string' && (p === guardDir || isGuard(p))));
    for (const p of load['paths'] as unknown[]) if (!kept.includes(p)) changes.push({ path: 'plugins.load.paths', change: `- ${String(p)}` });
    if (kept.length !== (load['paths'] as unknown[]).length) {
      if (kept.length > 0) load['paths'] = kept;
      else delete load['paths'];
      if (Object.keys(load).length === 0) delete plugins['load'];
    }
  }
  const entries = plugins['entries'];
  if (isMap(entries) && GUARD_PLUGIN_ID in entries) {
    Reflect.deleteProperty(entries, GUARD_PLUGIN_ID);
    changes.push({ path: `plugins.entries.${GUARD_PLUGIN_ID}`, change: 'removed (with its settings and token)' });
  }
  const allow = plugins['allow'];
  if (Array.isArray(allow) && allow.includes(GUARD_PLUGIN_ID)) {
    plugins['allow'] = allow.filter((a) => a !== GUARD_PLUGIN_ID);
    changes.push({ path: 'plugins.allow', change: `- ${GUARD_PLUGIN_ID}` });
  }
  return { document: changes.length > 0 ? doc : original, changes, notes: [] };
}

/** Why `dir` cannot be loaded as the guard (not built, not there), or undefined. */
export function guardDirProblem(dir: string): string | undefined {
  if (!existsSync(join(dir, 'openclaw.plugin.json'))) return `${dir} has no openclaw.plugin.json: this clawwarden install does not ship the guard`;
  if (!existsSync(join(dir, 'dist', 'index.js'))) return `${dir}/dist/index.js is missing: the guard is not built (in a checkout: npm run build)`;
  return undefined;
}
