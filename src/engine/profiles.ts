import type { Session } from '../domain/session.js';
import type { Policy } from '../policy/types.js';
import type { Matcher } from '../policy/match.js';

/** Per policy for one identity: no match, match, match if the key matches too, or ask the policy (foreign matcher). */
export const NO = 0;
export const YES = 1;
export const KEY = 2;
export const ASK = 3;

/** One distinct session identity (source, agent, model, provider, channel, kind) and its per-policy verdicts. */
export interface Profile {
  readonly id: number;
  readonly source: string;
  readonly agent: string;
  readonly verdicts: Uint8Array;
  /** Session-scope policies this identity matches outright (YES), ascending. */
  readonly sure: readonly number[];
  /** Session-scope policies that depend on the session itself (KEY or ASK), ascending. */
  readonly maybe: readonly number[];
  /** Interned per-session lists by which of `maybe` matched (bit k = maybe[k]), so equal lists share one array. */
  readonly lists: Map<number, readonly number[]>;
}

/** What the engine remembers about one Session object: its identity and the session-scope policies matching it. */
export interface SessionMemo {
  readonly profile: Profile;
  /** Indices of the session-scope policies matching this session, ascending (shared between equal lists). */
  readonly local: readonly number[];
  /** The ledger's view of this session, valid while `epoch` equals the engine's usage epoch. */
  usage: import('../ledger/types.js').SessionUsageView | undefined;
  epoch: number;
}

type Level = Map<string | undefined, unknown>;

function step(level: Level, value: string | undefined): Level {
  let next = level.get(value) as Level | undefined;
  if (!next) level.set(value, (next = new Map()));
  return next;
}

/**
 * Memoises `match` per distinct identity, and per Session object the resulting list of matching session policies:
 * sources hand the same (immutable) Session object back until the session changes, so a steady fleet costs one
 * WeakMap read per session. Lives as long as its engine; `remember: false` (one-shot evaluations) skips the WeakMap.
 */
export class MatchIndex {
  private readonly root: Level = new Map();
  private readonly matchers: (Matcher | undefined)[];
  private readonly keyTests: (((key: string) => boolean) | undefined)[];
  private readonly memos = new WeakMap<Session, SessionMemo>();
  /** Every identity seen, by id. */
  readonly profiles: Profile[] = [];

  constructor(
    private readonly policies: readonly Policy[],
    private readonly remember: boolean,
  ) {
    this.matchers = policies.map((p) => (typeof (p.matches as Partial<Matcher>).identity === 'function' ? (p.matches as Matcher) : undefined));
    this.keyTests = this.matchers.map((m) => m?.key);
  }

  /** The session's memo (created on first sight of this Session object). */
  memo(session: Session): SessionMemo {
    let memo = this.memos.get(session);
    if (memo === undefined) {
      const profile = this.profile(session);
      memo = { profile, local: this.localOf(profile, session), usage: undefined, epoch: -1 };
      if (this.remember) this.memos.set(session, memo);
    }
    return memo;
  }

  /** The session's identity profile (created on first sight). */
  profile(session: Session): Profile {
    const level = step(step(step(step(step(this.root, session.source), session.agent), session.model), session.provider), session.channel);
    let found = level.get(session.kind) as Profile | undefined;
    if (!found) {
      const verdicts = this.verdicts(session);
      const sure: number[] = [];
      const maybe: number[] = [];
      this.policies.forEach((p, j) => {
        if (p.scope !== 'session' || verdicts[j] === NO) return;
        (verdicts[j] === YES ? sure : maybe).push(j);
      });
      found = { id: this.profiles.length, source: session.source, agent: session.agent, verdicts, sure, maybe, lists: new Map() };
      this.profiles.push(found);
      level.set(session.kind, found);
    }
    return found;
  }

  /** Whether policy `j` matches the session, given its identity's verdicts. */
  matches(j: number, session: Session, verdicts: Uint8Array): boolean {
    const verdict = verdicts[j];
    if (verdict === YES) return true;
    if (verdict === NO) return false;
    if (verdict === KEY) return this.keyTests[j]!(session.key);
    return this.policies[j]!.matches(session);
  }

  private localOf(profile: Profile, session: Session): readonly number[] {
    const { maybe } = profile;
    if (maybe.length === 0) return profile.sure;
    // More key-dependent session policies than bits is unheard of; such a session just gets its own list.
    if (maybe.length > 30) return [...profile.sure, ...maybe.filter((j) => this.matches(j, session, profile.verdicts))].sort((a, b) => a - b);
    let mask = 0;
    for (let k = 0; k < maybe.length; k++) if (this.matches(maybe[k]!, session, profile.verdicts)) mask |= 1 << k;
    let list = profile.lists.get(mask);
    if (!list) {
      list = [...profile.sure, ...maybe.filter((_, k) => (mask & (1 << k)) !== 0)].sort((a, b) => a - b);
      profile.lists.set(mask, list);
    }
    return list;
  }

  private verdicts(session: Session): Uint8Array {
    const verdicts = new Uint8Array(this.policies.length);
    this.matchers.forEach((m, j) => {
      if (!m) verdicts[j] = ASK;
      else if (!m.identity(session)) verdicts[j] = NO;
      else verdicts[j] = m.key ? KEY : YES;
    });
    return verdicts;
  }
}
