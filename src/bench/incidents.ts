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
/** The slice of the incident suite (test/e2e/incidents) and guard harness (test/guard/gateway.ts) the bench drives. */
interface Harness {
  setUpGuardWorld(options?: { preinstalled?: boolean }): Promise<World>;
  runIncident(scenario: Scenario, mode: Mode, world: World, options?: { log?: string }): Promise<Result>;
  INCIDENTS: readonly Scenario[];
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
  return { setUpGuardWorld: gateway.setUpGuardWorld, runIncident: run.runIncident, INCIDENTS: catalogue.INCIDENTS };
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

/**
 * The incident suite on a real OpenClaw gateway (guard installed with install-guard): each incident run alone (bounded by
 * its window), with clawwarden from outside and with the in-gateway guard; tokens and dollars the fake model served to it
 * in the window (priced as openclaw.json prices the model), who caught it, and the share saved against alone.
 */
export async function incidentRows(): Promise<BenchRow[]> {
  const harness = await loadHarness();
  const world = await harness.setUpGuardWorld({ preinstalled: true });
  const section = 'incidents';
  const rows: BenchRow[] = [];
  try {
    for (const scenario of harness.INCIDENTS) {
      const label = `#${scenario.incident} ${scenario.title} (${scenario.issues.join(', ')}; ${Math.round(scenario.windowMs / 1000)} s window)`;
      const results = new Map<Mode, Result>();
      let failed: { mode: Mode; error: unknown } | undefined;
      for (const mode of MODES) {
        if (scenario.modes && !scenario.modes.includes(mode)) continue;
        try {
          results.set(mode, await harness.runIncident(scenario, mode, world, { log: 'silent' }));
        } catch (error) {
          failed = { mode, error };
          break;
        }
      }
      if (failed) {
        // One incident that cannot run must not hide the others' figures: an error row, and on to the next.
        const message = failed.error instanceof Error ? failed.error.message : JSON.stringify(failed.error);
        rows.push({ section, case: 'error', measured: `${label}: ${failed.mode} run failed: ${message}`, target: '-' });
        continue;
      }
      const alone = results.get('alone');
      const saved = (mode: Mode): string => {
        const r = results.get(mode);
        return alone && r ? `${mode} ${pct(alone.tokens.total, r.tokens.total)} tok / ${pct(alone.dollars, r.dollars)} $` : `${mode} -`;
      };
      rows.push({
        section,
        case: `${label}${scenario.note ? ` — ${scenario.note}` : ''}`,
        measured: `${MODES.map((m) => cell(m, results.get(m))).join(' · ')} · saved: ${saved('outside')}, ${saved('guard')}`,
        target: 'caught; spend < alone',
      });
    }
    return rows;
  } finally {
    await world.close();
  }
}

/** `incidents` bench section. */
export const incidentsBench: BenchSection = { name: 'incidents', run: incidentRows };
