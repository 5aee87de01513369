import type { Scenario } from './scenario.js';
import { bloatedContext } from './bloated-context.js';
import { retryStorm } from './retry-storm.js';
import { runawayLoop } from './runaway-loop.js';

/** Every incident of the suite, in the order the bench prints them. */
export const INCIDENTS: readonly Scenario[] = [runawayLoop, retryStorm, bloatedContext];
