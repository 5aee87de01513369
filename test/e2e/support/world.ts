import { afterAll, beforeAll } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { OpenClawSource } from '../../../src/sources/openclaw/index.js';
import type { SourceContext } from '../../../src/sources/source.js';
import { startFakeModel, type FakeModel } from './fake-model.js';
import { gatewayMissing, startGateway, type Gateway } from './gateway.js';
import { connectOperator, type Operator } from './operator.js';

/** True when e2e suites should skip: locally without the gateway install. Under CI a missing gateway fails instead. */
export const skipE2E = gatewayMissing() !== undefined && !process.env.CI;
if (skipE2E) console.warn(`[e2e] skipped: ${gatewayMissing()}`);

/** One gateway, fake model and operator client shared by the tests of one file. */
export interface World {
  model: FakeModel;
  gateway: Gateway;
  operator: Operator;
  /** Runs the clawwarden CLI in-process against this gateway; `env` adds to OPENCLAW_GATEWAY_TOKEN. */
  cli(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }>;
  /** A started OpenClaw source on this gateway (closed with the world). */
  source(options?: Record<string, unknown>): Promise<OpenClawSource>;
}

/** A logger that drops everything (tests assert on events, not logs). */
export const quietLog: SourceContext['log'] = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Registers beforeAll/afterAll that bring a world up and down; the returned object is filled in beforeAll. */
export function useWorld(): World {
  const world = {} as World;
  const sources: OpenClawSource[] = [];
  beforeAll(async () => {
    world.model = await startFakeModel();
    world.gateway = await startGateway({ modelBaseUrl: world.model.baseUrl });
    world.operator = await connectOperator(world.gateway.url, world.gateway.token);
    // The first turn on a fresh HOME spends 7–20 s preparing; pay it once here, not in the first test.
    await world.operator.create('warmup', 'hello MODE:quick ID:warmup');
    await world.model.waitForCalls('warmup', 1, 120_000);
    world.cli = async (args, env = {}) => {
      let stdout = '';
      let stderr = '';
      const code = await main(['sessions', ...args], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        env: { HOME: world.gateway.home, OPENCLAW_GATEWAY_TOKEN: world.gateway.token, ...env },
        cwd: world.gateway.home,
      });
      return { code, stdout, stderr };
    };
    world.source = async (options = {}) => {
      const source = new OpenClawSource(
        'gw',
        { url: world.gateway.url, token: world.gateway.token, reconnect: { minMs: 200, maxMs: 1_000 }, requestTimeoutMs: 60_000, ...options },
        { now: Date.now, log: quietLog },
      );
      sources.push(source);
      await source.start();
      return source;
    };
  }, 300_000);
  afterAll(async () => {
    for (const s of sources) await s.close();
    const started: Partial<World> = world; // filled in step by step: a failed step leaves the rest unset
    await started.operator?.close();
    await started.gateway?.close();
    await started.model?.close();
  }, 60_000);
  return world;
}
