import { automationGateway } from './gateways.js';
import { actionBy, type Scenario } from './scenario.js';

/**
 * Incident 3, heartbeat burn on an abandoned session (openclaw#98556: $248 on a session nobody had used for 21 days).
 * A person writes once to the agent's main session and never again; OpenClaw's heartbeat keeps running turns in it
 * (about every 30 s here, the gateway's floor), each one a billed model call that also counts as activity, so an idle
 * policy on the last activity never fires. The fake model counts the heartbeat calls under the person's marker (the
 * heartbeat prompt carries none, so the latest marked message names them).
 *
 * Caught by `heartbeat-abandoned` in policies/heartbeat-abandoned.yaml (nobody wrote for 3 days while a model call
 * came within 2 hours; here 60 s and 45 s): pause, which holds a main session, so every later heartbeat run is
 * aborted (from outside) or refused before its model call (by the guard). An observe-only `plain-idle` with the same
 * threshold on `idle` shows the plain measure never fires. The daemon starts after the person's message (an earlier
 * run's message on the same main session would be caught at once) and sweeps every 5 s; the whole window is watched,
 * to show that the heartbeats after the pause no longer bill.
 */
export const heartbeatAbandoned: Scenario = {
  incident: 3,
  id: 'heartbeat',
  title: 'heartbeat burn on an abandoned session',
  issues: ['openclaw#98556'],
  policyFile: 'heartbeat-abandoned.yaml',
  policy: 'heartbeat-abandoned',
  compress: [
    ['idle.human: "> 3d"', 'idle.human: "> 60s"'],
    ['idle: "< 2h"', 'idle: "< 45s"'],
  ],
  agent: 'main',
  mainSession: true,
  gateway: automationGateway,
  watchFrom: 'first-call',
  schedule: '*/5 * * * * *',
  extraPolicies: `  - name: plain-idle
    mode: observe
    match: { key: "agent:main:main" }
    when: { idle: "> 60s" }
    do: [ pause ]`,
  fullWindow: true,
  windowMs: 150_000,
  drive: async (ctx) => {
    await ctx.operator.send(ctx.key, `please remember my shopping list MODE:quick ID:${ctx.marker}`);
    return { done: () => true, stop: async () => {} };
  },
  caught: (entries, key) => actionBy(entries, key, 'heartbeat-abandoned', ['pause']),
  note: 'one message, then only heartbeats (~30 s apart); the guard has no idle measure: the daemon catches it in both modes, then the guard refuses the held session’s heartbeat runs before their model call',
};
