import { afterAll, beforeAll } from 'vitest';
import { setUpGuardWorld, type GuardWorld } from '../../guard/gateway.js';
import type { IncidentGateway } from './scenario.js';

/**
 * One gateway per incident test file, with the guard plugin in openclaw.json before the first start (as install-guard
 * writes it) and agent `main` on a fake model answering in 300 ms. Runs `alone` and `outside` leave the guard without a
 * daemon to talk to, so it enforces nothing (fail-open) and OpenClaw behaves as without it. Start-up gets 20 minutes:
 * on a loaded 2-core machine a gateway start and its first turn have taken over 10. `gateway`: the set-up an incident
 * needs beyond that (heartbeats, a tool profile).
 */
export function useIncidentWorld(gateway?: IncidentGateway): GuardWorld {
  const world = {} as GuardWorld;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const up = await setUpGuardWorld({ preinstalled: true, ...(gateway ? { configure: (config) => gateway.configure(config) } : {}) });
    close = up.close;
    Object.assign(world, up);
  }, 1_200_000);
  afterAll(async () => {
    await close?.();
  }, 60_000);
  return world;
}
