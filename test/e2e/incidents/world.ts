import { useGuardWorld, type GuardWorld } from '../../guard/world.js';

/**
 * One gateway per incident test file, with the guard plugin installed (`clawwarden openclaw install-guard`) and two
 * agents: `main` on a fake model answering in 300 ms, `fast` in 30 ms. Runs `alone` and `outside` leave the guard
 * without a daemon to talk to, so it enforces nothing (fail-open) and OpenClaw behaves as without it.
 */
export function useIncidentWorld(): GuardWorld {
  return useGuardWorld({ preinstalled: true });
}
