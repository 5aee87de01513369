import { objectAt } from '../support/gateway.js';
import type { IncidentGateway } from './scenario.js';

/**
 * The gateway of the automation incidents (#3 heartbeats, #5 sub-agents): heartbeats on, at the gateway's shortest
 * cadence (asked for every 10 s, they come about every 30 s; `target: none` runs them without a channel, and a turn gets
 * 180 s instead of the cadence, too short on a loaded machine), and the `coding` tool profile with Tool Search off, the
 * only set-up that offers `sessions_spawn`. Heartbeats run in each agent's main session only, so the incidents played
 * in fresh sessions are not touched by them.
 */
export const automationGateway: IncidentGateway = {
  id: 'automation',
  configure: (config) => {
    objectAt(config, 'agents', 'defaults')['heartbeat'] = { every: '10s', target: 'none', timeoutSeconds: 180 };
    config['tools'] = { profile: 'coding', toolSearch: false };
  },
};
