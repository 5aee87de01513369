import { totalTokens } from '../../../src/domain/session.js';
import { eventually } from '../support/operator.js';
import { startGuardedWarden, type GuardWorld } from '../../guard/gateway.js';
import { priceOf, spendOf } from './run.js';

/** Tokens and dollars. */
export interface Spend {
  readonly tokens: number;
  readonly dollars: number;
}

/** What incident 7 came to: what the model served, what OpenClaw reports after the delete and reset, what clawwarden counts. */
export interface VanishingResult {
  readonly keys: { readonly deleted: string; readonly reset: string; readonly kept: string };
  /** Billed by the fake model to the three sessions. */
  readonly served: Spend;
  readonly servedPerKey: Readonly<Record<string, number>>;
  /** OpenClaw's `sessions.usage` for the three keys before and after the delete and reset. */
  readonly reportedBefore: Spend;
  readonly reported: Spend;
  readonly reportedPerKey: Readonly<Record<string, number>>;
  /** clawwarden's ledger for the three keys (every generation, the deleted session too). */
  readonly counted: Spend;
  readonly countedPerKey: Readonly<Record<string, number>>;
}

/** The title and issues of incident 7, for the bench. */
export const VANISHING = { incident: 7, title: 'spend that disappears (deleted and reset sessions)', issues: ['openclaw#20599', 'openclaw#50067'] } as const;

let runs = 0;
interface UsageReply {
  sessions?: { key?: string; usage?: { totalTokens?: number; totalCost?: number } | null }[];
  cacheStatus?: { status?: string };
}

/**
 * Incident 7, spend that disappears (openclaw#20599: deleted sessions not counted; #50067: a renewed session drops its
 * prior cost). Nothing runs away here, so there is nothing to stop and no alone / outside / guard run: the incident is
 * what gets counted. Three sessions spend (a short tool loop each, ended after `calls` model calls), then one is
 * deleted and one reset (`sessions.reset`); the third is kept as the control. Returns what the model billed, what
 * OpenClaw's own `sessions.usage` reports for the three keys afterwards, and what clawwarden's ledger counts for them.
 * Observed on 2026.9.6: `sessions.usage` drops the deleted session (once its cache refreshes) but still lists what the
 * reset session spent before the reset (only its `sessions.list` row starts from zero).
 * (The `/new` path of #50067 is not played: on 2026.9.6 a `/new` sent over chat.send neither rolls the session nor
 * reaches the model; test/e2e/incident-vanishing.test.ts records it.)
 */
export async function runVanishing(world: GuardWorld, options: { log?: string } = {}): Promise<VanishingResult> {
  const n = ++runs;
  const names = { deleted: `inc-vanish-del-${n}`, reset: `inc-vanish-reset-${n}`, kept: `inc-vanish-kept-${n}` };
  const keys = { deleted: `agent:main:${names.deleted}`, reset: `agent:main:${names.reset}`, kept: `agent:main:${names.kept}` };
  const all = [keys.deleted, keys.reset, keys.kept];
  const markers = [names.deleted, names.reset, names.kept];
  const price = await priceOf(world, 'main');
  const warden = await startGuardedWarden(
    world,
    `  - name: fleet-daily-watch
    scope: fleet
    window: { every: day }
    mode: observe
    when: { tokens.total: "> 1000M" }
    do: [ stop ]`,
    { guard: false, log: options.log ?? 'warn' },
  );
  try {
    for (const [i, name] of Object.values(names).entries()) await world.create('main', name, `one short answer MODE:quick ID:${markers[i]!}`);
    for (const m of markers) await world.slow.waitForCalls(m, 1, 300_000);
    const rows = async (): Promise<{ key: string; hasActiveRun?: boolean }[]> =>
      (await world.operator.request<{ sessions: { key: string; hasActiveRun?: boolean }[] }>('sessions.list', { limit: 1000, archived: 'all' })).sessions;
    await eventually('the three runs to finish', async () => ((await rows()).filter((r) => all.includes(r.key) && r.hasActiveRun === false).length === 3 ? true : undefined), 120_000, 500);
    const servedOf = (m: string): number => {
      const s = world.slow.served(m);
      return s.input + s.output;
    };
    const ledgerOf = (key: string): Spend => {
      let tokens = 0;
      let dollars = 0;
      for (const e of warden.warden.daemon.fleet.ledger.entries()) {
        if (e.key !== key) continue;
        tokens += totalTokens(e.totals);
        dollars += e.totals.cost;
      }
      return { tokens, dollars };
    };
    await eventually('the ledger to hold what the model served', () => (all.every((k, i) => ledgerOf(k).tokens === servedOf(markers[i]!)) ? true : undefined), 120_000, 500);
    // OpenClaw's own figures (cached: ask until it has them for all three).
    const usage = async (): Promise<UsageReply> => world.operator.request<UsageReply>('sessions.usage', { agentScope: 'all' });
    const reportedOf = (reply: UsageReply, key: string): Spend =>
      (reply.sessions ?? [])
        .filter((s) => s.key === key)
        .reduce((sum, s) => ({ tokens: sum.tokens + (s.usage?.totalTokens ?? 0), dollars: sum.dollars + (s.usage?.totalCost ?? 0) }), { tokens: 0, dollars: 0 });
    const sum = (spends: readonly Spend[]): Spend => spends.reduce((a, b) => ({ tokens: a.tokens + b.tokens, dollars: a.dollars + b.dollars }), { tokens: 0, dollars: 0 });
    const before = await eventually(
      'sessions.usage to report the three sessions',
      async () => {
        const reply = await usage();
        return reply.cacheStatus?.status !== 'refreshing' && all.every((k) => reportedOf(reply, k).tokens > 0) ? reply : undefined;
      },
      120_000,
      1_000,
    );

    // The incident: one session deleted, one reset.
    await world.operator.request('sessions.delete', { key: keys.deleted });
    await world.operator.request('sessions.reset', { key: keys.reset });
    await eventually('the gateway to forget the deleted session', async () => (!(await rows()).some((r) => r.key === keys.deleted) ? true : undefined), 60_000, 500);
    // sessions.usage is cached: ask until it no longer lists the deleted session (for up to a minute; after that, what
    // it still reports is what it reports).
    let after: UsageReply | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1_000))) {
      const reply = await usage().catch(() => undefined);
      if (!reply || reply.cacheStatus?.status === 'refreshing' || reportedOf(reply, keys.kept).tokens === 0) continue;
      after = reply;
      if (reportedOf(reply, keys.deleted).tokens === 0) break;
    }
    if (!after) throw new Error('sessions.usage did not report the kept session within a minute after the delete and reset');
    await warden.warden.daemon.sweep();

    const calls = world.slow.calls().filter((c) => markers.includes(c.marker));
    const served = spendOf(calls, price);
    const perKey = <T>(f: (key: string, i: number) => T): Record<string, T> => Object.fromEntries(all.map((k, i) => [k, f(k, i)]));
    return {
      keys,
      served: { tokens: served.total, dollars: served.dollars },
      servedPerKey: perKey((_k, i) => servedOf(markers[i]!)),
      reportedBefore: sum(all.map((k) => reportedOf(before, k))),
      reported: sum(all.map((k) => reportedOf(after, k))),
      reportedPerKey: perKey((k) => reportedOf(after, k).tokens),
      counted: sum(all.map(ledgerOf)),
      countedPerKey: perKey((k) => ledgerOf(k).tokens),
    };
  } finally {
    await warden.close();
  }
}
