import { automationGateway } from './gateways.js';
import { actionBy, type Scenario } from './scenario.js';

interface Row {
  readonly key: string;
  readonly spawnedBy?: string;
}

/**
 * Incident 5, sub-agent fan-out (openclaw#12554, #9404): a session spawns two sub-agents (OpenClaw's `sessions_spawn`)
 * that loop on a tool call and keep spending after the parent's own turn is over. The fake model counts the children's
 * calls under `<marker>.kid<i>`, so the incident's spend is the parent's and its sub-agents'.
 *
 * Caught by `subagent-tree-budget` in policies/subagent-fanout.yaml, a `tree: true` budget (500k tokens shipped, 300k
 * here) that measures the parent with every session it spawned; its kill reaches each sub-agent (journaled "because
 * parent … was killed"), which OpenClaw archives, and their model calls stop. The parent alone stays far under the cap.
 */
export const subagentFanout: Scenario = {
  incident: 5,
  id: 'fanout',
  title: 'sub-agent fan-out',
  issues: ['openclaw#12554', 'openclaw#9404'],
  policyFile: 'subagent-fanout.yaml',
  policy: 'subagent-tree-budget',
  compress: [['tokens.total: "> 500k"', 'tokens.total: "> 300k"']],
  agent: 'main',
  gateway: automationGateway,
  windowMs: 40_000,
  drive: async (ctx) => {
    await ctx.create(`split this up MODE:spawn CHILD:loop CHILDREN:2 ID:${ctx.marker}`);
    return {
      done: () => true,
      stop: async () => {},
      // The parent and the sub-agents it spawned (OpenClaw's `spawnedBy`), archived ones too.
      sessions: async () => {
        const rows = (await ctx.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 1000, archived: 'all' })).sessions;
        return [ctx.key, ...rows.filter((r) => r.spawnedBy === ctx.key).map((r) => r.key)];
      },
    };
  },
  caught: (entries, key) => actionBy(entries, key, 'subagent-tree-budget', ['kill']),
  note: 'the guard has no tree budget: the daemon catches it in both modes and cascades the kill',
};
