import { describe } from 'vitest';
import { openclawSourceModule, OpenClawSource } from '../../src/sources/openclaw/index.js';
import { eventually } from '../e2e/support/operator.js';
import { quietLog, skipE2E, useWorld } from '../e2e/support/world.js';
import { describeSourceContract, type ContractDriver } from './contract.js';

interface Row {
  key: string;
  hasActiveRun?: boolean;
}

// The shared source contract, against a real OpenClaw 2026.9.6 gateway and the fake model.
describe.skipIf(skipE2E)('openclaw on a real gateway', { timeout: 240_000 }, () => {
  const world = useWorld();
  let n = 0;
  const marker = (key: string): string => `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}-${++n}`;
  const active = async (key: string): Promise<boolean | undefined> =>
    (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500, archived: 'all' })).sessions.find((r) => r.key === key)?.hasActiveRun;

  const driver: ContractDriver = {
    createSession: async () => {
      const key = `agent:main:contract-${Date.now().toString(36)}-${++n}`;
      await world.operator.request('sessions.create', { key, agentId: 'main' });
      return key;
    },
    mainSession: async () => {
      const key = 'agent:main:main';
      if ((await active(key)) === undefined) await driver.produceUsage(key);
      await eventually(`${key} idle`, async () => ((await active(key)) === false ? true : undefined), 60_000);
      return key;
    },
    startRun: async (key) => {
      try {
        await world.operator.send(key, `keep working forever MODE:loop ID:${marker(key)}`);
        return { started: true, detail: 'accepted' };
      } catch (error) {
        return { started: false, detail: (error as Error).message };
      }
    },
    produceUsage: async (key) => {
      const id = marker(key);
      await world.operator.send(key, `one answer MODE:quick ID:${id}`);
      await world.model.waitForCalls(id, 1, 90_000);
      await eventually(`${key} to finish its run`, async () => ((await active(key)) === false ? true : undefined), 60_000);
    },
    pass: (ms) => new Promise((r) => setTimeout(r, ms)),
    waitFor: async (predicate, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await predicate()) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };

  describeSourceContract(
    'openclaw',
    async () => ({
      module: openclawSourceModule,
      source: new OpenClawSource('gw', { url: world.gateway.url, token: world.gateway.token, requestTimeoutMs: 60_000 }, { now: Date.now, log: quietLog }),
      driver,
    }),
    { patienceMs: 60_000 },
  );
});
