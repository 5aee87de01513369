import type { DemoFleet } from './simulation.js';
import { LARGE_MODEL, STANDARD_MODEL } from './prices.js';
import { PROFILES } from './cast.js';
import { Random, seedFor } from './random.js';
import type { Profile, SimSession } from './session.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** An agent that asks for the large model three times at once: ~$29 of long reports, each session < 200k tokens. */
const FAN_OUT: Profile = {
  role: 'fan-out',
  price: LARGE_MODEL,
  calls: [10, 10],
  gap: [1_500, 2_500],
  input: [3_000, 5_000],
  output: [11_000, 13_000],
  cacheRead: [0, 0],
};

/** Re-reads a huge context on every call and writes almost nothing: past 50k input with a ratio far above 40 in two calls. */
const BIG_READER: Profile = {
  role: 'big-reader',
  price: STANDARD_MODEL,
  calls: [8, 8],
  gap: [1_500, 2_500],
  input: [24_000, 30_000],
  output: [40, 90],
  cacheRead: [0, 0],
};

/**
 * When things happen, in ms of story time after the start (divided by `speed` on the fleet's clock), and who they
 * happen to. Each incident trips one policy of the demo config while it runs (see config.ts).
 */
export const STORY = {
  /** A new tool loop starts; it passes the 200k cap after ~13 calls (~5 s) and the daemon stops it at that call. */
  runawayAt: 20 * SECOND,
  runaway: 'agent:qa:retry-until-green',
  /** `planner` fans out three premium reports; its day passes $20 (warn) and then $25 (pause) about 15–20 s later. */
  budgetAt: 40 * SECOND,
  budgetAgent: 'planner',
  /** This session's last activity turns one day old here; the next sweep (each minute) archives it. */
  idleAt: 90 * SECOND,
  idle: 'agent:docs:changelog-draft',
  /** From then on a new incident every this often: a big reader, a runaway, an agent over budget, in turn. */
  every: 3 * MINUTE,
} as const;

const RUNAWAYS = ['agent:qa:retry-until-green', 'agent:devops:tail-deploy-logs', 'agent:security:rescan-loop', 'agent:frontend:fix-lint-loop'];
const READERS = ['agent:researcher:competitor-crawl', 'agent:support:kb-reindex', 'agent:triage:inbox-summary'];
const BUDGET_AGENTS = ['planner', 'design', 'devops', 'security'];
/** Sessions last used just under a day before the start: each turns idle past 24h at its offset (story time). */
const FADING: readonly (readonly [string, string, number])[] = [
  ['docs', 'changelog-draft', STORY.idleAt],
  ['design', 'icon-refresh', 7.5 * MINUTE],
  ['triage', 'weekend-backlog', 15.5 * MINUTE],
];

type Incident = 'runaway' | 'reader' | 'budget';
const ROTATION: readonly Incident[] = ['reader', 'runaway', 'budget'];

/**
 * The demo's storyline on top of the cast: healthy traffic keeps flowing, and incidents arrive on their own clock so
 * an open console watches them being caught. Deterministic from the seed, however finely the clock is stepped:
 * `runUntil` runs the fleet up to each beat, then plays the beat.
 */
export class Storyline {
  readonly #rng: Random;
  readonly #budgetHit = new Set<string>();
  #nextChatter: number;
  #incident = 0;
  #runaways = 0;
  #readers = 0;
  #budgets = 0;

  constructor(
    private readonly fleet: DemoFleet,
    private readonly t0: number,
    seed: number,
    private readonly speed: number,
  ) {
    this.#rng = new Random(seedFor(seed, 'storyline'));
    this.#nextChatter = this.#at(this.#rng.int([2 * SECOND, 5 * SECOND]));
    for (const [agent, name, idleAt] of FADING) {
      const s = fleet.place({ agent, name, profile: PROFILES.idle }, t0 - DAY);
      const last = t0 - DAY + idleAt / speed;
      fleet.recordPast(s, s.drawCall(), last - 90 * SECOND);
      fleet.recordPast(s, s.drawCall(), last);
    }
  }

  /** Epoch ms of the next incident beat (the first runaway, the first budget, then one every `STORY.every`). */
  nextIncidentAt(): number {
    if (this.#incident === 0) return this.#at(STORY.runawayAt);
    if (this.#incident === 1) return this.#at(STORY.budgetAt);
    return this.#at(STORY.every * (this.#incident - 1));
  }

  /** Runs the fleet and the story up to `at`, in time order. */
  runUntil(at: number): void {
    for (;;) {
      const incidentAt = this.nextIncidentAt();
      const next = Math.min(incidentAt, this.#nextChatter);
      if (next > at) break;
      this.fleet.runUntil(next);
      if (next === incidentAt) this.#playIncident(next);
      else this.#chatter(next);
    }
    this.fleet.runUntil(at);
  }

  #at(storyMs: number): number {
    return Math.round(this.t0 + storyMs / this.speed);
  }

  #playIncident(at: number): void {
    const n = this.#incident++;
    const kind: Incident = n === 0 ? 'runaway' : n === 1 ? 'budget' : (ROTATION[(n - 2) % ROTATION.length] ?? 'runaway');
    if (kind === 'budget' && this.#budgets < BUDGET_AGENTS.length) this.#budget(at);
    else if (kind === 'reader') this.#reader(at);
    else this.#runaway(at);
  }

  #runaway(at: number): void {
    const key = numbered(RUNAWAYS, this.#runaways++);
    const session = this.fleet.create(specOf(key, PROFILES.runaway), at);
    this.fleet.startRun(session, 'loop', at);
  }

  #reader(at: number): void {
    const key = numbered(READERS, this.#readers++);
    const session = this.fleet.create(specOf(key, BIG_READER), at);
    this.fleet.startRun(session, 8, at);
  }

  #budget(at: number): void {
    const agent = BUDGET_AGENTS[this.#budgets++] ?? 'planner';
    this.#budgetHit.add(agent);
    for (const name of ['board-forecast', 'market-sizing', 'hiring-plan']) {
      const session = this.fleet.create({ agent, name: this.#budgets > 1 ? `${name}-${this.#budgets}` : name, profile: FAN_OUT }, at);
      this.fleet.startRun(session, 10, at);
    }
  }

  /** One healthy session does a little work: what keeps the cards moving between incidents. */
  #chatter(at: number): void {
    this.#nextChatter = at + Math.round(this.#rng.int([3 * SECOND, 8 * SECOND]) / this.speed);
    const idle = [...this.fleet.sessions()].filter((s: SimSession) => s.profile.role === 'healthy' && !s.run && !s.archived && !this.#budgetHit.has(s.agent));
    const pick = idle[this.#rng.int([0, idle.length - 1])];
    if (pick) this.fleet.startRun(pick, this.#rng.int([1, 3]), at);
  }
}

/** `agent:a:name`, then `agent:a:name-2`, `-3`… once the list has gone round. */
function numbered(keys: readonly string[], n: number): string {
  const base = keys[n % keys.length] ?? 'agent:qa:loop';
  const round = Math.floor(n / keys.length);
  return round === 0 ? base : `${base}-${round + 1}`;
}

function specOf(key: string, profile: Profile): { agent: string; name: string; profile: Profile } {
  const [, agent = 'qa', name = 'loop'] = key.split(':');
  return { agent, name, profile };
}
