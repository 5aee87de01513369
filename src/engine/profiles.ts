import type { Session } from '../sources/source.js';
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
}

type Level = Map<string | undefined, unknown>;

function step(level: Level, value: string | undefined): Level {
  let next = level.get(value) as Level | undefined;
  if (!next) level.set(value, (next = new Map()));
  return next;
}

/**
 * Memoises `match` per distinct identity for one evaluation: a fleet's sessions share few identities, so
 * each (session, policy) pair costs an array read, plus a key test where `match` names keys.
 */
export class MatchIndex {
  private readonly root: Level = new Map();
  private readonly matchers: (Matcher | undefined)[];
  private readonly keyTests: (((key: string) => boolean) | undefined)[];
  /** Every identity seen, by id. */
  readonly profiles: Profile[] = [];

  constructor(private readonly policies: readonly Policy[]) {
    this.matchers = policies.map((p) => (typeof (p.matches as Partial<Matcher>).identity === 'function' ? (p.matches as Matcher) : undefined));
    this.keyTests = this.matchers.map((m) => m?.key);
  }

  /** The session's identity profile (created on first sight). */
  profile(session: Session): Profile {
    const level = step(step(step(step(step(this.root, session.source), session.agent), session.model), session.provider), session.channel);
    let found = level.get(session.kind) as Profile | undefined;
    if (!found) {
      found = { id: this.profiles.length, source: session.source, agent: session.agent, verdicts: this.verdicts(session) };
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
