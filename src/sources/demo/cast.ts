import type { DemoFleet } from './simulation.js';
import { LARGE_MODEL, STANDARD_MODEL } from './prices.js';
import type { Profile, SessionSpec, SimSession } from './session.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Range = readonly [number, number];

/** How each kind of demo session behaves. Numbers are chosen so that each problem trips exactly one demo policy. */
export const PROFILES = {
  /** Short runs every 8–20 min; rolled past 150k tokens so it never reaches a 200k cap; < $20/day per agent. */
  healthy: {
    role: 'healthy',
    price: STANDARD_MODEL,
    workEvery: [8 * MINUTE, 20 * MINUTE],
    calls: [1, 4],
    gap: [700, 2_500],
    input: [2_000, 6_000],
    output: [150, 800],
    cacheRead: [0, 3_000],
    resetAbove: 150_000,
  },
  /** A tool loop: a call every ~400 ms, prompts growing 12k → 24k, never ends by itself, never restarts once stopped. */
  runaway: {
    role: 'runaway',
    price: STANDARD_MODEL,
    calls: 'loop',
    gap: [350, 450],
    input: [12_000, 24_000],
    growth: [400, 800],
    output: [450, 900],
    cacheRead: [0, 0],
  },
  /** Worked days ago and never again. */
  idle: {
    role: 'idle',
    price: STANDARD_MODEL,
    calls: [1, 2],
    gap: [800, 2_000],
    input: [4_000, 8_000],
    output: [300, 500],
    cacheRead: [0, 0],
  },
  /** Re-reads a big context every few minutes and writes almost nothing back. */
  inefficient: {
    role: 'inefficient',
    price: STANDARD_MODEL,
    workEvery: [3 * MINUTE, 5 * MINUTE],
    calls: [1, 1],
    gap: [1_500, 3_000],
    input: [5_000, 7_000],
    output: [40, 90],
    cacheRead: [0, 0],
  },
  /** Long reports on the premium model: each session stays < 200k tokens, but the agent's day adds up past $25. */
  overBudget: {
    role: 'over-budget',
    price: LARGE_MODEL,
    // Per session; with six sessions the agent makes a ~$0.32 call every two minutes or so.
    workEvery: [10 * MINUTE, 15 * MINUTE],
    calls: [1, 1],
    gap: [2_000, 5_000],
    input: [3_000, 4_000],
    output: [3_200, 3_800],
    cacheRead: [0, 500],
    resetAbove: 180_000,
  },
  /** The `sessions: N` extras: quiet, cheap, rarely working. */
  background: {
    role: 'background',
    price: STANDARD_MODEL,
    workEvery: [30 * MINUTE, 120 * MINUTE],
    calls: [1, 2],
    gap: [800, 2_500],
    input: [1_000, 4_000],
    output: [100, 500],
    cacheRead: [0, 1_000],
    resetAbove: 100_000,
  },
  /** Sessions created from outside (tests, drivers): they work only when told to. */
  manual: {
    role: 'manual',
    price: STANDARD_MODEL,
    calls: [1, 1],
    gap: [300, 900],
    input: [800, 2_000],
    output: [40, 200],
    cacheRead: [0, 0],
  },
} as const satisfies Record<string, Profile>;

/** The keys of the demo's problem sessions, for tests and docs. */
export const DEMO_CAST = {
  runaway: 'agent:backend:fix-flaky-tests',
  idle: 'agent:archivist:weekly-digest',
  inefficient: 'agent:researcher:market-scan',
  overBudgetAgent: 'reporting',
  /** Healthy sessions mid-run at t0. */
  activeHealthy: ['agent:frontend:landing-page', 'agent:support:main'],
} as const;

/** The 13 agents, in cast order. */
export const DEMO_AGENTS = ['backend', 'archivist', 'researcher', 'reporting', 'frontend', 'triage', 'docs', 'qa', 'support', 'devops', 'security', 'design', 'planner'] as const;

/** Healthy sessions: [agent, name, channel?]. */
const HEALTHY: ReadonlyArray<readonly [string, string, string?]> = [
  ['backend', 'main'],
  ['backend', 'api-pagination'],
  ['archivist', 'main'],
  ['researcher', 'main'],
  ['frontend', 'main'],
  ['frontend', 'landing-page'],
  ['triage', 'main', 'slack'],
  ['docs', 'api-reference'],
  ['qa', 'main'],
  ['qa', 'regression-suite'],
  ['support', 'main', 'slack'],
  ['support', 'ticket-4821'],
  ['devops', 'terraform-plan'],
  ['security', 'dependency-audit'],
  ['design', 'main'],
  ['planner', 'main'],
  ['planner', 'sprint-24'],
];

const REPORTS: ReadonlyArray<readonly [string, number]> = [
  ['main', 8],
  ['q3-board-pack', 19],
  ['revenue-model', 19],
  ['churn-deep-dive', 19],
  ['pricing-review', 19],
  ['investor-update', 19],
];

/**
 * Places a session whose transcript already holds `calls` model calls, the last one `back` ms before `end`,
 * `gap` ms apart (all drawn from the session's own generator).
 */
function past(fleet: DemoFleet, spec: SessionSpec, end: number, shape: { calls: Range; back: Range; gap: Range }): SimSession {
  const s = fleet.place(spec, end);
  const times: number[] = [];
  let at = end - s.rng.int(shape.back);
  for (let i = s.rng.int(shape.calls); i > 0; i--) {
    times.unshift(at);
    at -= s.rng.int(shape.gap);
  }
  s.startedAt = Math.round(at - MINUTE);
  s.lastActivityAt = s.startedAt;
  s.lastHumanAt = s.startedAt;
  for (const t of times) fleet.recordPast(s, s.drawCall(), t);
  return s;
}

/** Puts the 13-agent team (plus `background` extra sessions) into the fleet as it stands at `t0`. */
export function castFleet(fleet: DemoFleet, t0: number, background: number): void {
  for (const [agent, name, channel] of HEALTHY) {
    const spec: SessionSpec = { agent, name, profile: PROFILES.healthy, ...(channel ? { channel } : {}) };
    const activeNow = (DEMO_CAST.activeHealthy as readonly string[]).includes(`agent:${agent}:${name}`);
    const s = past(fleet, spec, t0, {
      calls: [3, 12],
      back: activeNow ? [20 * SECOND, 40 * SECOND] : [2 * MINUTE, 90 * MINUTE],
      gap: [40 * SECOND, 6 * MINUTE],
    });
    if (activeNow) {
      fleet.startRun(s, 2, t0 - 2 * SECOND);
    } else {
      fleet.scheduleWork(s, t0, [5 * SECOND, 20 * MINUTE]);
    }
  }

  // The loop has made 20 calls (~360k tokens) by t0, the last one 300 ms ago, and is due again shortly.
  const runaway = fleet.place({ agent: 'backend', name: 'fix-flaky-tests', profile: PROFILES.runaway }, t0 - 3 * MINUTE);
  const loopCalls: number[] = [];
  for (let i = 0, at = t0 - 300; i < 20; i++, at -= runaway.rng.int(PROFILES.runaway.gap)) loopCalls.unshift(at);
  for (const t of loopCalls) fleet.recordPast(runaway, runaway.drawCall(), t);
  fleet.startRun(runaway, 'loop', (loopCalls[0] ?? t0) - 1_500);
  if (runaway.run) runaway.run.nextCallAt = t0 - 300 + runaway.rng.int(PROFILES.runaway.gap);

  past(fleet, { agent: 'archivist', name: 'weekly-digest', profile: PROFILES.idle }, t0, {
    calls: [10, 10],
    back: [4 * DAY, 4 * DAY + 6 * HOUR],
    gap: [MINUTE, 3 * MINUTE],
  });

  const researcher = fleet.place({ agent: 'researcher', name: 'market-scan', profile: PROFILES.inefficient }, t0 - 3 * HOUR);
  for (let i = 24; i >= 1; i--) {
    fleet.recordPast(researcher, { input: researcher.rng.int([5_500, 7_500]), output: researcher.rng.int([80, 130]), cacheRead: 0, cacheWrite: 0 }, t0 - i * 5 * MINUTE);
  }
  fleet.scheduleWork(researcher, t0, [30 * SECOND, 5 * MINUTE]);

  // The over-budget agent's spend all falls in today's UTC window, however early in the day t0 is.
  const dayStart = Math.floor(t0 / DAY) * DAY;
  const span = Math.min(t0 - dayStart, 8 * HOUR);
  for (const [name, calls] of REPORTS) {
    const s = fleet.place({ agent: DEMO_CAST.overBudgetAgent, name, profile: PROFILES.overBudget }, t0 - span);
    s.startedAt = Math.round(Math.max(dayStart, t0 - span));
    for (let c = 0; c < calls; c++) fleet.recordPast(s, s.drawCall(), t0 - span + (span * (c + 0.5)) / calls);
    fleet.scheduleWork(s, t0, [10 * SECOND, 15 * MINUTE]);
  }

  for (let i = 0; i < background; i++) {
    const agent = `worker-${String((i % 50) + 1).padStart(2, '0')}`;
    const spec: SessionSpec = { agent, name: `job-${String(i + 1).padStart(4, '0')}`, profile: PROFILES.background };
    const s = past(fleet, spec, t0, { calls: [1, 6], back: [5 * MINUTE, 12 * HOUR], gap: [MINUTE, 30 * MINUTE] });
    fleet.scheduleWork(s, t0, [MINUTE, 120 * MINUTE]);
  }
}
