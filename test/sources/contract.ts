import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionName, ActionRequest, Session, Source, SourceEvent, SourceModule, UsageRecord } from '../../src/sources/source.js';
import { ACTION_NAMES } from '../../src/sources/source.js';

/** What asking the platform to start work came to (a real gateway refuses new work on an archived session). */
export interface RunStart {
  readonly started: boolean;
  readonly detail: string;
}

/**
 * Makes the platform do things, the way its users would — never through the source under test. The demo drives its
 * simulation; the OpenClaw suite drives a real gateway (chat.send / sessions.create against the fake model server).
 */
export interface ContractDriver {
  /** A new idle, non-main, non-archived session that exists on the platform and starts no work by itself. */
  createSession(): Promise<string>;
  /** The key of a main session (`agent:<id>:main`) with no active run. */
  mainSession(): Promise<string>;
  /** Starts an endless run (a tool loop) on `key`; resolves once the platform accepted or refused it. */
  startRun(key: string): Promise<RunStart>;
  /** Makes `key` complete one short run with at least one model call; resolves after that run ended. */
  produceUsage(key: string): Promise<void>;
  /** Lets `ms` of platform time pass (the demo advances its clock; a real gateway sleeps). */
  pass(ms: number): Promise<void>;
  /** Lets platform time pass until `predicate` holds; false once `timeoutMs` of platform time went by. */
  waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean>;
}

/** What one contract case runs against; `setup` makes a fresh one per case (a real gateway may be shared). */
export interface ContractHarness {
  readonly module: SourceModule;
  /** A new source, not yet started; the suite starts and closes it. */
  readonly source: Source;
  readonly driver: ContractDriver;
  /** Releases whatever setup made, after the suite closed the source. */
  dispose?(): Promise<void>;
}

export interface ContractOptions {
  /** Platform time allowed for anything to show up (runs starting, events, baselines catching up). Default 30 s. */
  readonly patienceMs?: number;
}

const UNKNOWN_KEY = 'agent:nobody:no-such-session';
const STATUSES = ['done', 'noop', 'refused', 'failed'];
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

const isEpochMs = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value > EARLIEST && value < LATEST;

/**
 * The behaviour every source adapter must show (DESIGN.md §1, §4 and §5), run against a real platform or the demo:
 * `describeSourceContract('openclaw', async () => ({ module, source, driver }))`.
 */
export function describeSourceContract(label: string, setup: () => Promise<ContractHarness>, options: ContractOptions = {}): void {
  const patience = options.patienceMs ?? 30_000;

  describe(`source contract: ${label}`, () => {
    let h: ContractHarness;
    let events: SourceEvent[];

    beforeEach(async () => {
      h = await setup();
      events = [];
      h.source.subscribe((event) => events.push(event));
    });

    afterEach(async () => {
      await h.source.close();
      await h.dispose?.();
    });

    const row = async (key: string): Promise<Session | undefined> => (await h.source.inventory()).find((s) => s.key === key);
    const mustRow = async (key: string): Promise<Session> => {
      const session = await row(key);
      expect(session, `session ${key} in the inventory`).toBeDefined();
      return session as Session;
    };
    const usageOf = (key: string): UsageRecord[] => events.flatMap((e) => (e.type === 'usage' && e.record.key === key ? [e.record] : []));
    const act = async (action: ActionName, key: string, extra: Partial<ActionRequest> = {}) => {
      const session = await mustRow(key);
      return h.source.perform({ action, key, generation: session.generation, ...extra });
    };
    const waitFor = async (what: string, predicate: () => boolean | Promise<boolean>): Promise<void> => {
      expect(await h.driver.waitFor(predicate, patience), `waiting for ${what}`).toBe(true);
    };
    const running = async (key: string): Promise<void> => {
      const start = await h.driver.startRun(key);
      expect(start.started, start.detail).toBe(true);
      await waitFor(`${key} to run and call the model`, async () => (await row(key))?.active === true && usageOf(key).length > 0);
    };

    it("declares its module's capabilities, all of them known actions", () => {
      expect(h.source.type).toBe(h.module.name);
      expect([...h.source.capabilities].sort()).toEqual([...h.module.capabilities].sort());
      for (const capability of h.source.capabilities) expect(ACTION_NAMES).toContain(capability);
    });

    it('is down until started, then up and announces it with an up event', async () => {
      expect(h.source.isUp()).toBe(false);
      await h.source.start();
      expect(h.source.isUp()).toBe(true);
      expect(events).toContainEqual({ type: 'up', source: h.source.name });
    });

    it('reports a complete inventory of well-formed sessions', async () => {
      await h.source.start();
      const a = await h.driver.createSession();
      const b = await h.driver.createSession();
      const inventory = await h.source.inventory();
      const keys = inventory.map((s) => s.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toEqual(expect.arrayContaining([a, b]));
      for (const s of inventory) {
        expect(s.source, s.key).toBe(h.source.name);
        expect(s.key.length, 'key').toBeGreaterThan(0);
        expect(s.generation.length, `${s.key} generation`).toBeGreaterThan(0);
        expect(s.agent.length, `${s.key} agent`).toBeGreaterThan(0);
        for (const flag of [s.main, s.archived, s.active]) expect(typeof flag, s.key).toBe('boolean');
        for (const time of [s.startedAt, s.lastActivityAt, s.runStartedAt]) {
          if (time !== undefined) expect(isEpochMs(time), `${s.key} times are epoch ms: ${time}`).toBe(true);
        }
      }
      const created = inventory.find((s) => s.key === a);
      expect(created).toMatchObject({ main: false, archived: false, active: false });
    });

    it('emits one usage event per model call, with unique ids and growing totals', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      const session = await mustRow(key);
      await h.driver.produceUsage(key);
      await waitFor('the first usage event', () => usageOf(key).length >= 1);
      await waitFor('the baseline to include the first run', async () => ((await h.source.usage([key]))[0]?.input ?? 0) > 0);
      const [first] = await h.source.usage([key]);
      await h.driver.produceUsage(key);
      await waitFor('more usage events', () => usageOf(key).length >= 2);
      const records = usageOf(key);
      expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
      for (const r of records) {
        expect(r).toMatchObject({ source: h.source.name, key, agent: session.agent, generation: session.generation });
        for (const n of [r.input, r.output, r.cacheRead, r.cacheWrite]) expect(Number.isInteger(n) && n >= 0, `token counts of ${r.id}`).toBe(true);
        expect(r.input + r.output).toBeGreaterThan(0);
        expect(r.cost).toBeGreaterThanOrEqual(0);
        expect(isEpochMs(r.at), `${r.id} at`).toBe(true);
      }
      const grown = async () => {
        const [now] = await h.source.usage([key]);
        return now !== undefined && first !== undefined && now.input + now.output > first.input + first.output;
      };
      await waitFor('the baseline to grow', grown);
    });

    it('reports usage baselines that agree with the sum of the events', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      await h.driver.produceUsage(key);
      await h.driver.produceUsage(key);
      const sum = () =>
        usageOf(key).reduce(
          (t, r) => ({ input: t.input + r.input, output: t.output + r.output, cacheRead: t.cacheRead + r.cacheRead, cacheWrite: t.cacheWrite + r.cacheWrite, cost: t.cost + r.cost }),
          { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 },
        );
      await waitFor('the baseline to match the events', async () => {
        const [b] = await h.source.usage([key]);
        const s = sum();
        return b !== undefined && s.input > 0 && b.input === s.input && b.output === s.output && b.cacheRead === s.cacheRead && b.cacheWrite === s.cacheWrite;
      });
      const [baseline] = await h.source.usage([key]);
      expect(baseline?.cost).toBeCloseTo(sum().cost, 6);
      if (baseline?.daily) {
        expect(baseline.daily.reduce((n, d) => n + d.input, 0)).toBe(baseline.input);
        for (const d of baseline.daily) expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
      expect((await h.source.usage()).map((u) => u.key)).toContain(key);
      expect(await h.source.usage([UNKNOWN_KEY])).toEqual([]);
    });

    it('stop on an active run: done, the run ends and the model calls stop', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      await running(key);
      const result = await act('stop', key);
      expect(result.status, result.detail).toBe('done');
      await waitFor('the run to end', async () => (await row(key))?.active === false);
      const atStop = usageOf(key).length;
      await h.driver.pass(3_000);
      // At most the one call that was in flight when the abort landed.
      expect(usageOf(key).length - atStop).toBeLessThanOrEqual(1);
      expect((await mustRow(key)).archived).toBe(false);
    });

    it('stop with no active run is a noop', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      const result = await act('stop', key);
      expect(result.status, result.detail).toBe('noop');
    });

    it('pause with a stale generation is refused and touches nothing', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      const before = await mustRow(key);
      const result = await h.source.perform({ action: 'pause', key, generation: '00000000-0000-4000-8000-000000000000' });
      expect(result.status).toBe('refused');
      expect(result.detail.length).toBeGreaterThan(0);
      const after = await mustRow(key);
      expect(after).toMatchObject({ archived: false, generation: before.generation });
      await h.driver.produceUsage(key);
      await waitFor('the untouched session to work', () => usageOf(key).length > 0);
    });

    it('pause blocks new work; resume lets it run again', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      const paused = await act('pause', key);
      expect(paused.status, paused.detail).toBe('done');
      expect(paused.hold ?? false).toBe(false);
      expect((await mustRow(key)).archived).toBe(true);
      const refused = await h.driver.startRun(key);
      expect(refused.started).toBe(false);
      expect(refused.detail.length).toBeGreaterThan(0);
      await h.driver.pass(3_000);
      expect(usageOf(key)).toEqual([]);
      const resumed = await act('resume', key);
      expect(resumed.status, resumed.detail).toBe('done');
      expect((await mustRow(key)).archived).toBe(false);
      await h.driver.produceUsage(key);
      await waitFor('work after resume', () => usageOf(key).length > 0);
    });

    it('pause cancels a run in progress', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      await running(key);
      const result = await act('pause', key);
      expect(result.status, result.detail).toBe('done');
      await waitFor('the run to end', async () => (await row(key))?.active === false);
      expect((await mustRow(key)).archived).toBe(true);
    });

    it('kill ends the run and refuses new work', async () => {
      await h.source.start();
      const key = await h.driver.createSession();
      await running(key);
      const result = await act('kill', key);
      expect(result.status, result.detail).toBe('done');
      expect(result.hold ?? false).toBe(false);
      await waitFor('the run to end', async () => (await row(key))?.active === false);
      expect((await mustRow(key)).archived).toBe(true);
      expect((await h.driver.startRun(key)).started).toBe(false);
    });

    it('pause and kill of a main session abort its run and ask the caller to hold it', async () => {
      await h.source.start();
      const key = await h.driver.mainSession();
      expect((await mustRow(key)).main).toBe(true);
      await running(key);
      const paused = await act('pause', key);
      expect(paused).toMatchObject({ status: 'done', hold: true });
      await waitFor('the run to end', async () => (await row(key))?.active === false);
      expect((await mustRow(key)).archived).toBe(false);
      const killed = await act('kill', key);
      expect(killed).toMatchObject({ status: 'done', hold: true });
      expect((await mustRow(key)).archived).toBe(false);
    });

    it('cleanup archives or deletes; main sessions are refused', async () => {
      await h.source.start();
      const archived = await h.driver.createSession();
      expect((await act('cleanup', archived, { cleanup: 'archive' })).status).toBe('done');
      expect((await mustRow(archived)).archived).toBe(true);

      const deleted = await h.driver.createSession();
      expect((await act('cleanup', deleted, { cleanup: 'delete' })).status).toBe('done');
      await waitFor('the deleted session to leave the inventory', async () => (await row(deleted)) === undefined);
      await waitFor('a removed event', () => events.some((e) => e.type === 'removed' && e.key === deleted));

      const main = await h.driver.mainSession();
      for (const cleanup of ['archive', 'delete'] as const) {
        const result = await act('cleanup', main, { cleanup });
        expect(result.status, `cleanup ${cleanup} of ${main}: ${result.detail}`).toBe('refused');
      }
      expect((await mustRow(main)).archived).toBe(false);
    });

    it('refuses every action on an unknown key, naming the key', async () => {
      await h.source.start();
      for (const action of h.source.capabilities) {
        const result = await h.source.perform({ action, key: UNKNOWN_KEY, generation: 'whatever' });
        expect(result.status, action).toBe('refused');
        expect(result.detail, action).toContain(UNKNOWN_KEY);
      }
    });

    it('can perform every capability it declares', async () => {
      await h.source.start();
      for (const action of h.source.capabilities) {
        const key = await h.driver.createSession();
        await h.driver.produceUsage(key);
        const result = await act(action, key, action === 'cleanup' ? { cleanup: 'archive' } : {});
        expect(['done', 'noop'], `${action}: ${result.status} ${result.detail}`).toContain(result.status);
      }
    });

    it('never throws from perform: odd requests come back as results', async () => {
      const key = await h.driver.createSession();
      const early = await h.source.perform({ action: 'stop', key, generation: 'x' });
      expect(STATUSES).toContain(early.status);
      await h.source.start();
      // Deliberately malformed, as a buggy caller or a hand-written API request might send them.
      const odd: ActionRequest[] = [
        { action: 'explode' as ActionName, key, generation: 'x' },
        { action: 'stop', key: '', generation: '' },
        { action: 'pause', key, generation: '' },
        { action: 'cleanup', key, generation: (await mustRow(key)).generation, cleanup: 'shred' as 'delete' },
        { action: 'resume', key: UNKNOWN_KEY, generation: undefined as unknown as string },
      ];
      for (const request of odd) {
        const result = await h.source.perform(request);
        expect(STATUSES, JSON.stringify(request)).toContain(result.status);
        expect(result.status, JSON.stringify(request)).not.toBe('done');
        expect(typeof result.detail).toBe('string');
      }
      expect((await mustRow(key)).archived).toBe(false);
    });

    it('close() stops the events, and unsubscribing stops one listener', async () => {
      const other: SourceEvent[] = [];
      const unsubscribe = h.source.subscribe((e) => other.push(e));
      await h.source.start();
      const key = await h.driver.createSession();
      unsubscribe();
      await h.driver.produceUsage(key);
      await waitFor('usage events', () => usageOf(key).length > 0);
      expect(other.filter((e) => e.type === 'usage')).toEqual([]);

      await h.source.close();
      expect(h.source.isUp()).toBe(false);
      const seen = events.length;
      await h.driver.produceUsage(key);
      await h.driver.pass(3_000);
      expect(events.slice(seen)).toEqual([]);
    });
  });
}
