/**
 * The incident suite: spend disasters OpenClaw users reported, reproduced on a real gateway with the fake model and
 * run three ways by `runIncident` (run.ts): OpenClaw `alone`, clawwarden watching from `outside` (the daemon, no
 * guard), and with the in-gateway `guard`. Each run reports the tokens and dollars the fake model served to the
 * incident's session within the scenario's window, and which policy caught it.
 *
 * How to add an incident:
 *  1. Ship the policy that catches it in `policies/<name>.yaml`, with `policies/tests/<name>.test.yaml` (`clawwarden
 *     test`); test/policies.test.ts checks it compiles with the rest of the library.
 *  2. If the fake model cannot play the incident yet, add a behaviour to test/e2e/support/fake-model.ts (a `MODE:` or
 *     another marker in the user message), as its own delimited block.
 *  3. Write a `Scenario` in `test/e2e/incidents/<name>.ts`: which policy file and policy catch it, how to compress its
 *     thresholds to test scale (`compress`: exact text replacements, each must match once, so a renamed threshold
 *     fails loudly), how to drive it on the gateway, how long it runs alone (`windowMs`) and what "caught" means.
 *  4. Add it to `INCIDENTS` in catalogue.ts (the bench section `incidents` runs every entry in alone / outside / guard).
 *  5. Write `test/e2e/incidents/<name>.test.ts`: `useIncidentWorld()` and `runIncident(scenario, mode, world)` per
 *     mode, asserting it is caught, by which policy, and what the spend came to. One gateway per file, so files run in
 *     parallel; keep windows short (tens of seconds) and caps small (tens of thousands of tokens).
 */
import type { JournalEntry } from '../../../src/state/journal-types.js';
import type { FakeModel } from '../support/fake-model.js';
import type { Operator } from '../support/operator.js';

/** How the incident is run: OpenClaw only, clawwarden's daemon from outside, or the daemon with the in-gateway guard. */
export type IncidentMode = 'alone' | 'outside' | 'guard';
export const MODES: readonly IncidentMode[] = ['alone', 'outside', 'guard'];

/** What a scenario's driver gets: where to play the incident. */
export interface DriveContext {
  /** `agent:<agent>:<name>`, fresh for each run. */
  readonly key: string;
  readonly agent: 'main' | 'fast';
  /** The session's name (the part after `agent:<agent>:`). */
  readonly name: string;
  /** The fake-model marker (`ID:<marker>`) the driver must put in its messages; calls are counted by it. */
  readonly marker: string;
  readonly operator: Operator;
  readonly model: FakeModel;
  /** Starts the session with a first message. */
  create(message: string): Promise<void>;
  /** When the window ends (epoch ms; infinite until the incident's first model call, which opens it); a driver that keeps sending stops there. */
  endsAt(): number;
}

/** A running incident. */
export interface Driver {
  /** True once the driver has nothing more to send (a single message: at once). */
  done(): boolean;
  /** Stops sending (called at the end of the window, or when the run ends early). */
  stop(): Promise<void>;
  /** The sessions the incident plays in when the gateway names them (sub-agents, a cron job's session, whose runs are its `:run:` sub-keys); default: the context's `key`. */
  sessions?(): Promise<readonly string[]>;
}

/** A gateway set-up an incident needs beyond the default one (one gateway per distinct `id`). */
export interface IncidentGateway {
  readonly id: string;
  /** Edits openclaw.json before the gateway's first start. */
  configure(config: Record<string, unknown>): void;
}

/** One incident. */
export interface Scenario {
  /** The incident's number in the suite (issue 16's list). */
  readonly incident: number;
  /** Short id: session keys are `agent:<agent>:inc-<id>-<mode>-<n>`, markers `inc-<id>-<mode>-<n>`. */
  readonly id: string;
  readonly title: string;
  /** The OpenClaw issues that reported it, e.g. `openclaw#120962`. */
  readonly issues: readonly string[];
  /** The shipped policy file that catches it, relative to `policies/`. */
  readonly policyFile: string;
  /** The policy in that file expected to catch it. */
  readonly policy: string;
  /** Time compression: `[shipped, test]` text replacements in the policy file; each `shipped` text must occur exactly once. */
  readonly compress: readonly (readonly [string, string])[];
  /** The agent whose session plays it (`main`: 300 ms per model call, `fast`: 30 ms). */
  readonly agent: 'main' | 'fast';
  /** How long the incident runs when nothing stops it, ms, from its first model call (so a slow first turn on a loaded machine does not eat it); OpenClaw alone is aborted at its end, and spend counts up to it. */
  readonly windowMs: number;
  /** Plays the incident on the gateway. */
  drive(ctx: DriveContext): Promise<Driver>;
  /** What "caught" means: the journal entry (of this run's daemon) that shows it was caught, if any; `sessions`: the driver's (default `[key]`). */
  caught(entries: readonly JournalEntry[], key: string, sessions: readonly string[]): JournalEntry | undefined;
  /** The session plays in the agent's main session (`agent:<agent>:main`, which heartbeats run in) instead of a fresh one per run. */
  readonly mainSession?: boolean;
  /** The gateway it needs (heartbeats, a tool profile); default: the suite's plain gateway. */
  readonly gateway?: IncidentGateway;
  /** When the daemon starts: before the driver (default) or once the incident's first model call arrived (for a main session whose earlier runs' state would be caught at once). */
  readonly watchFrom?: 'start' | 'first-call';
  /** The daemon's sweep schedule (default: none, events only); conditions on time (idle) need sweeps. */
  readonly schedule?: string;
  /** More policies (YAML list items) beside the policy file, e.g. an observe-only comparison. */
  readonly extraPolicies?: string;
  /** Watch the whole window even once caught (to show what happens to the spend after the catch). */
  readonly fullWindow?: boolean;
  /** Modes the scenario makes sense in (default all); the bench prints `-` for the others. */
  readonly modes?: readonly IncidentMode[];
  /** A note the bench prints with the row (e.g. what this gateway version does differently). */
  readonly note?: string;
}

/** The first action on `key` taken by `policy` (from outside or by the guard) whose result is `done`. */
export function actionBy(entries: readonly JournalEntry[], key: string, policy: string, actions?: readonly string[]): JournalEntry | undefined {
  return entries.find((e) => e.type === 'action' && e.session === key && e.policy === policy && e.result === 'done' && (actions === undefined || actions.includes(e.action ?? '')));
}

/** Whether `session` is one of `sessions` or a run under one (`<key>:run:<id>`, as a cron job's runs are named). */
export function inSessions(sessions: readonly string[], session: string | undefined): boolean {
  return session !== undefined && sessions.some((s) => session === s || session.startsWith(`${s}:`));
}

/** A driver that sends one message and is done. */
export function oneMessage(ctx: DriveContext, message: string): Promise<Driver> {
  return ctx.create(message).then(() => ({ done: () => true, stop: async () => {} }));
}
