import type { BenchRow, BenchSection } from './section.js';

type Mode = 'alone' | 'outside' | 'guard';
const MODES: readonly Mode[] = ['alone', 'outside', 'guard'];

interface Scenario {
  readonly incident: number;
  readonly id: string;
  readonly title: string;
  readonly issues: readonly string[];
  readonly windowMs: number;
  readonly modes?: readonly Mode[];
  readonly note?: string;
  readonly gateway?: { readonly id: string; configure(config: Record<string, unknown>): void };
}
interface Result {
  readonly tokens: { readonly total: number };
  readonly dollars: number;
  readonly policy?: string;
  readonly by?: string;
}
interface World {
  close(): Promise<void>;
}
interface Spend {
  readonly tokens: number;
  readonly dollars: number;
}
interface Vanishing {
  readonly served: Spend;
  readonly reportedBefore: Spend;
  readonly reported: Spend;
  readonly counted: Spend;
}
/** The slice of the incident suite (test/e2e/incidents) and guard harness (test/guard/gateway.ts) the bench drives. */
interface Harness {
  setUpGuardWorld(options?: { preinstalled?: boolean; configure?: (config: Record<string, unknown>) => void }): Promise<World>;
  runIncident(scenario: Scenario, mode: Mode, world: World, options?: { log?: string }): Promise<Result>;
  INCIDENTS: readonly Scenario[];
  runVanishing(world: World, options?: { log?: string }): Promise<Vanishing>;
  VANISHING: { readonly incident: number; readonly title: string; readonly issues: readonly string[] };
}

async function loadHarness(): Promise<Harness> {
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
  } catch {
    throw new Error('the incidents bench needs the dev install (tsx) to load the incident suite in test/e2e/incidents');
  }
  const support = (await tsImport('../../test/e2e/support/gateway.ts', import.meta.url)) as { gatewayMissing(): string | undefined };
  const missing = support.gatewayMissing();
  if (missing) throw new Error(`the incidents bench needs a real OpenClaw gateway and did not run: ${missing}`);
  const gateway = (await tsImport('../../test/guard/gateway.ts', import.meta.url)) as Pick<Harness, 'setUpGuardWorld'>;
  const run = (await tsImport('../../test/e2e/incidents/run.ts', import.meta.url)) as Pick<Harness, 'runIncident'>;
  const catalogue = (await tsImport('../../test/e2e/incidents/catalogue.ts', import.meta.url)) as Pick<Harness, 'INCIDENTS'>;
  const vanishing = (await tsImport('../../test/e2e/incidents/vanishing.ts', import.meta.url)) as Pick<Harness, 'runVanishing' | 'VANISHING'>;
  return { setUpGuardWorld: gateway.setUpGuardWorld, runIncident: run.runIncident, INCIDENTS: catalogue.INCIDENTS, runVanishing: vanishing.runVanishing, VANISHING: vanishing.VANISHING };
}

const tok = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${Math.round(v / 1e3)}k` : String(v));
const usd = (v: number): string => `$${v.toFixed(2)}`;
const pct = (alone: number, v: number): string => (alone > 0 ? `${Math.round(((alone - v) / alone) * 100)} %` : '-');

/** One cell: tokens and dollars of a mode, and who caught it. */
function cell(mode: Mode, r: Result | undefined): string {
  if (!r) return `${mode} -`;
  const who = mode === 'alone' ? '' : r.policy ? ` (${r.policy}${r.by === 'guard' ? ', by the guard' : ''})` : ' (not caught)';
  return `${mode} ${tok(r.tokens.total)} tok ${usd(r.dollars)}${who}`;
}

/** The row of one incident run alone, from outside and with the guard (or an `error` row when a run failed). */
async function scenarioRow(harness: Harness, world: World, scenario: Scenario): Promise<BenchRow> {
  const section = 'incidents';
  const label = `#${scenario.incident} ${scenario.title} (${scenario.issues.join(', ')}; ${Math.round(scenario.windowMs / 1000)} s window)`;
  const results = new Map<Mode, Result>();
  for (const mode of MODES) {
    if (scenario.modes && !scenario.modes.includes(mode)) continue;
    try {
      results.set(mode, await harness.runIncident(scenario, mode, world, { log: 'silent' }));
    } catch (error) {
      // One incident that cannot run must not hide the others' figures: an error row, and on to the next.
      const message = error instanceof Error ? error.message : JSON.stringify(error);
      return { section, case: 'error', measured: `${label}: ${mode} run failed: ${message}`, target: '-' };
    }
  }
  const alone = results.get('alone');
  const saved = (mode: Mode): string => {
    const r = results.get(mode);
    return alone && r ? `${mode} ${pct(alone.tokens.total, r.tokens.total)} tok / ${pct(alone.dollars, r.dollars)} $` : `${mode} -`;
  };
  return {
    section,
    case: `${label}${scenario.note ? ` — ${scenario.note}` : ''}`,
    measured: `${MODES.map((m) => cell(m, results.get(m))).join(' · ')} · saved: ${saved('outside')}, ${saved('guard')}`,
    target: 'caught; spend < alone',
  };
}

/** Incident 7's row: it is about counting, so it compares what OpenClaw reports with what clawwarden counts instead of three runs. */
async function vanishingRow(harness: Harness, world: World): Promise<BenchRow> {
  const section = 'incidents';
  const v = harness.VANISHING;
  const label = `#${v.incident} ${v.title} (${v.issues.join(', ')}) — counting, not stopping: no alone / outside / guard runs; three sessions spend, one is deleted, one reset (sessions.reset)`;
  try {
    const r = await harness.runVanishing(world, { log: 'silent' });
    const s = (x: Spend): string => `${tok(x.tokens)} tok ${usd(x.dollars)}`;
    return {
      section,
      case: label,
      measured: `model billed ${s(r.served)} · OpenClaw's sessions.usage before ${s(r.reportedBefore)}, after ${s(r.reported)} · clawwarden counts ${s(r.counted)}`,
      target: 'counted = billed',
    };
  } catch (error) {
    return { section, case: 'error', measured: `${label}: ${error instanceof Error ? error.message : JSON.stringify(error)}`, target: '-' };
  }
}

/**
 * The incident suite on a real OpenClaw gateway (guard installed with install-guard): each incident run alone (bounded by
 * its window), with clawwarden from outside and with the in-gateway guard; tokens and dollars the fake model served to it
 * in the window (priced as openclaw.json prices the model), who caught it, and the share saved against alone. Incidents
 * that need another gateway set-up (heartbeats, a tool profile) run on their own gateway, one gateway at a time; rows
 * come out in incident order, incident 7 (counting) with them.
 */
export async function incidentRows(): Promise<BenchRow[]> {
  const harness = await loadHarness();
  const groups = new Map<string, { gateway?: Scenario['gateway']; scenarios: Scenario[] }>();
  for (const scenario of harness.INCIDENTS) {
    const id = scenario.gateway?.id ?? '';
    const group = groups.get(id) ?? { ...(scenario.gateway ? { gateway: scenario.gateway } : {}), scenarios: [] };
    group.scenarios.push(scenario);
    groups.set(id, group);
  }
  if (!groups.has('')) groups.set('', { scenarios: [] });
  const rows: { incident: number; row: BenchRow }[] = [];
  for (const [id, group] of groups) {
    const gateway = group.gateway;
    let world: World;
    try {
      world = await harness.setUpGuardWorld({ preinstalled: true, ...(gateway ? { configure: (config: Record<string, unknown>) => gateway.configure(config) } : {}) });
    } catch (error) {
      // A gateway that does not come up costs its own incidents' rows, not the others'.
      const message = error instanceof Error ? error.message : JSON.stringify(error);
      for (const scenario of group.scenarios)
        rows.push({
          incident: scenario.incident,
          row: { section: 'incidents', case: 'error', measured: `#${scenario.incident} ${scenario.title}: gateway ${id || 'default'} did not start: ${message}`, target: '-' },
        });
      continue;
    }
    try {
      for (const scenario of group.scenarios) rows.push({ incident: scenario.incident, row: await scenarioRow(harness, world, scenario) });
      if (id === '') rows.push({ incident: harness.VANISHING.incident, row: await vanishingRow(harness, world) });
    } finally {
      await world.close();
    }
  }
  return rows.sort((a, b) => a.incident - b.incident).map((r) => r.row);
}

/** `incidents` bench section. */
export const incidentsBench: BenchSection = { name: 'incidents', run: incidentRows };
