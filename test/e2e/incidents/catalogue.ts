import type { Scenario } from './scenario.js';
import { bloatedContext } from './bloated-context.js';
import { cronRunaway } from './cron.js';
import { subagentFanout } from './fanout.js';
import { heartbeatAbandoned } from './heartbeat.js';
import { retryStorm } from './retry-storm.js';
import { runawayLoop } from './runaway-loop.js';

/** Every incident of the suite run alone / outside / guard, in the order the bench prints them (incident 7, which is about counting, is in vanishing.ts). */
export const INCIDENTS: readonly Scenario[] = [runawayLoop, retryStorm, heartbeatAbandoned, bloatedContext, subagentFanout, cronRunaway];
