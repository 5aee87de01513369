import { afterAll, beforeAll } from 'vitest';
import { setUpGuardWorld, type GuardWorld } from './gateway.js';

export * from './gateway.js';

/** beforeAll/afterAll for one guarded gateway per test file; `workshop: true` turns skills workshop reviews on; `preinstalled`: see setUpGuardWorld. */
export function useGuardWorld(options: { workshop?: boolean; preinstalled?: boolean } = {}): GuardWorld {
  const world = {} as GuardWorld;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const up = await setUpGuardWorld(options);
    close = up.close;
    Object.assign(world, up);
  }, 600_000);
  afterAll(async () => {
    await close?.();
  }, 60_000);
  return world;
}
