import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { JournalEntry } from '../../../src/state/journal-types.js';
import { billed, type FakeModel, type ServedCall } from '../support/fake-model.js';
import { startGuardedWarden, type GuardedWarden, type GuardWorld } from '../../guard/gateway.js';
import { inSessions, type IncidentMode, type Scenario } from './scenario.js';

const POLICIES = resolve(import.meta.dirname, '..', '..', '..', 'policies');

/** What one run of an incident came to. */
export interface IncidentResult {
  readonly scenario: string;
  readonly mode: IncidentMode;
  readonly key: string;
  readonly marker: string;
  /** Tokens the fake model served (and billed) to the incident within its window. */
  readonly tokens: { readonly input: number; readonly output: number; readonly total: number };
  /** Those tokens priced as the gateway config prices the model. */
  readonly dollars: number;
  /** Model calls within the window: all of them, and those that billed. */
  readonly calls: number;
  readonly billedCalls: number;
  /** How long the run was watched, ms (the window, or less when it was caught and ended early). */
  readonly watchedMs: number;
  /** The journal entry that caught it (undefined alone, or when not caught). */
  readonly caught?: JournalEntry;
  /** `caught.policy`, and who acted: `policy` (the daemon from outside) or `guard`. */
  readonly policy?: string;
  readonly by?: string;
  /** Tokens clawwarden's ledger counted for the session at the end of the run (undefined alone). */
  readonly counted?: number;
  /** This run's daemon journal entries about the incident's sessions (empty alone). */
  readonly entries: readonly JournalEntry[];
  /** This run's whole daemon journal (sub-agents' entries too; empty alone). */
  readonly journal: readonly JournalEntry[];
  /** The sessions it played in (the driver's, default `[key]`). */
  readonly sessions: readonly string[];
}

/** USD per 1M tokens, as openclaw.json prices the agent's model. */
export interface Price {
  readonly input: number;
  readonly output: number;
}

/** The price of agent `main` (provider `fake`) or `fast` (provider `fast`) in the gateway's openclaw.json. */
export async function priceOf(world: GuardWorld, agent: 'main' | 'fast'): Promise<Price> {
  const config = JSON.parse(await readFile(join(world.gateway.home, '.openclaw', 'openclaw.json'), 'utf8')) as {
    models: { providers: Record<string, { models: { id: string; cost: Price }[] }> };
  };
  const provider = config.models.providers[agent === 'main' ? 'fake' : 'fast'];
  const cost = provider?.models.find((m) => m.id === 'fake-1')?.cost;
  if (!cost) throw new Error(`no price for agent ${agent} in openclaw.json`);
  return { input: cost.input, output: cost.output };
}

/** The scenario's shipped policy file with its time compression applied, written to a temp dir; returns its path. */
export async function compressedPolicyFile(scenario: Scenario): Promise<string> {
  let text = await readFile(join(POLICIES, scenario.policyFile), 'utf8');
  for (const [from, to] of scenario.compress) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`${scenario.policyFile}: compression text ${JSON.stringify(from)} occurs ${count} times, expected once`);
    text = text.replace(from, to);
  }
  const dir = await mkdtemp(join(tmpdir(), `cw-incident-${scenario.id}-`));
  const file = join(dir, basename(scenario.policyFile));
  await writeFile(file, text);
  return file;
}

/** The calls of an incident: its marker's and its sub-agents' (`<marker>.kid<i>`). */
export function familyCalls(model: FakeModel, marker: string): ServedCall[] {
  return model.calls().filter((c) => c.marker === marker || c.marker.startsWith(`${marker}.`));
}

/** Spend of `calls` (those that billed) priced at `price`. */
export function spendOf(calls: readonly ServedCall[], price: Price): { input: number; output: number; total: number; dollars: number } {
  const mine = calls.filter(billed);
  const input = mine.reduce((s, c) => s + c.promptTokens, 0);
  const output = mine.reduce((s, c) => s + c.completionTokens, 0);
  return { input, output, total: input + output, dollars: (input * price.input + output * price.output) / 1e6 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let runs = 0;

/** How long a caught incident must stay quiet (no active run, no new model call) before its run is over early. */
const SETTLE_MS = 2_500;

/**
 * Runs `scenario` once in `mode` on `world` (a gateway with the guard plugin installed; alone and outside leave the
 * guard unconnected, so it enforces nothing) and measures what the fake model served to it within the window.
 *
 * Alone, the incident runs its whole window and is then aborted. With clawwarden (outside: daemon only; guard: daemon
 * plus in-gateway guard) the run also ends early once it is caught, its driver is done, the session has no active run
 * and no model call arrived for SETTLE_MS; otherwise it too is aborted at the window's end.
 */
export async function runIncident(scenario: Scenario, mode: IncidentMode, world: GuardWorld, options: { log?: string } = {}): Promise<IncidentResult> {
  const n = ++runs;
  const name = scenario.mainSession ? 'main' : `inc-${scenario.id}-${mode}-${n}`;
  const key = `agent:${scenario.agent}:${name}`;
  const marker = `inc-${scenario.id}-${mode}-${n}`;
  const model: FakeModel = scenario.agent === 'main' ? world.slow : world.fast;
  const price = await priceOf(world, scenario.agent);
  let warden: GuardedWarden | undefined;
  const watch = async (): Promise<void> => {
    if (mode === 'alone') return;
    const file = await compressedPolicyFile(scenario);
    warden = await startGuardedWarden(world, `  - ${JSON.stringify(file)}${scenario.extraPolicies ? `\n${scenario.extraPolicies}` : ''}`, {
      guard: mode === 'guard',
      log: options.log ?? 'warn',
      ...(scenario.schedule ? { schedule: scenario.schedule } : {}),
    });
  };
  if (scenario.watchFrom !== 'first-call') await watch();
  try {
    let endsAt = Number.POSITIVE_INFINITY;
    const driver = await scenario.drive({
      key,
      agent: scenario.agent,
      name,
      marker,
      operator: world.operator,
      model,
      endsAt: () => endsAt,
      create: async (message) => {
        await world.create(scenario.agent, name, message);
      },
    });
    // The window opens with the incident's first model call: a first turn can take 20 s to prepare on a loaded machine.
    await model.waitForCalls(marker, 1, 300_000);
    const started = model.calls(marker)[0]!.at;
    endsAt = started + scenario.windowMs;
    if (scenario.watchFrom === 'first-call') await watch();
    const sessionsOf = async (): Promise<readonly string[]> => (driver.sessions ? await driver.sessions().catch(() => [key]) : [key]);
    let caught: JournalEntry | undefined;
    let quietSince: number | undefined;
    let lastCalls = -1;
    while (Date.now() < endsAt) {
      await sleep(250);
      if (!warden) continue;
      const sessions = await sessionsOf();
      caught ??= scenario.caught(await warden.journal(), key, sessions);
      if (!caught || !driver.done() || scenario.fullWindow) continue;
      const calls = familyCalls(model, marker).length;
      const active = await hasActiveRun(world, sessions);
      if (active || calls !== lastCalls) {
        quietSince = undefined;
        lastCalls = calls;
        continue;
      }
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= SETTLE_MS) break;
    }
    const watchedMs = Math.min(Date.now(), endsAt) - started;
    const sessions = await sessionsOf();
    await driver.stop();
    // Bounded by the window: whatever still runs is aborted (a call cut short bills nothing).
    for (const s of sessions) await world.operator.request('sessions.abort', { key: s }).catch(() => undefined);
    await sleep(1_000);
    const within = familyCalls(model, marker).filter((c) => c.at <= started + watchedMs + 50);
    const spend = spendOf(within, price);
    const journal = warden ? await warden.journal() : [];
    const entries = journal.filter((e) => inSessions(sessions, e.session));
    const ledgerEntries = warden ? [...warden.warden.daemon.fleet.ledger.entries()].filter((e) => inSessions(sessions, e.key)) : [];
    const counted = warden ? ledgerEntries.reduce((sum, e) => sum + e.totals.input + e.totals.output + e.totals.cacheRead + e.totals.cacheWrite, 0) : undefined;
    caught ??= warden ? scenario.caught(entries, key, sessions) : undefined;
    return {
      scenario: scenario.id,
      mode,
      key,
      marker,
      tokens: { input: spend.input, output: spend.output, total: spend.total },
      dollars: spend.dollars,
      calls: within.length,
      billedCalls: within.filter(billed).length,
      watchedMs,
      entries,
      journal,
      sessions,
      ...(counted !== undefined ? { counted } : {}),
      ...(caught ? { caught, ...(caught.policy ? { policy: caught.policy } : {}), ...(caught.by ? { by: caught.by } : {}) } : {}),
    };
  } finally {
    await warden?.close();
  }
}

async function hasActiveRun(world: GuardWorld, keys: readonly string[]): Promise<boolean> {
  const rows = (await world.operator.request<{ sessions: { key: string; hasActiveRun?: boolean }[] }>('sessions.list', { limit: 1000 })).sessions;
  return rows.some((r) => keys.includes(r.key) && r.hasActiveRun === true);
}

/** `a` saved relative to `alone`, as a share (0.9 = 90 % less). */
export function shareSaved(alone: number, withWarden: number): number {
  return alone > 0 ? (alone - withWarden) / alone : 0;
}
