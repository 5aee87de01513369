import type { Session } from '../domain/session.js';
import type { Decision, EngineState, Hold } from '../domain/decision.js';
import type { EvaluationInput } from './types.js';
import { refOf } from './decide.js';
import { holdsAbandoned, wroteSince } from '../policy/uses.js';

/** Holds by source and key, for `state:`; undefined when nothing is held (the common case). */
export function indexHolds(holds: EngineState['holds']): Map<string, Map<string, Hold>> | undefined {
  if (holds.size === 0) return undefined;
  const index = new Map<string, Map<string, Hold>>();
  for (const h of holds.values()) {
    let keys = index.get(h.source);
    if (!keys) index.set(h.source, (keys = new Map<string, Hold>()));
    keys.set(h.key, h);
  }
  return index;
}

/**
 * Holds to resume: those of windowed policies whose window has reset, and those an abandoned-session policy (`idle.human`)
 * placed on a session a person has written to since (the hold was for nobody reading it).
 */
export function releaseHolds(input: EvaluationInput, decisions: Decision[]): void {
  const due: { hold: Hold; why: string; id: string }[] = [];
  const abandoned: Hold[] = [];
  for (const h of input.state.holds.values()) {
    if (h.until !== undefined && h.until <= input.now) due.push({ hold: h, id: String(h.until), why: `the budget window of policy ${h.policy ?? h.by} has reset` });
    else if (h.policy !== undefined && holdsAbandoned(input.policies.find((p) => p.name === h.policy))) abandoned.push(h);
  }
  if (due.length === 0 && abandoned.length === 0) return;
  const live = new Map<string, Session>();
  for (const s of input.sessions) live.set(`${s.source}\u0000${s.key}`, s);
  for (const h of abandoned) {
    const session = live.get(`${h.source}\u0000${h.key}`);
    if (!session || !wroteSince(h, session)) continue;
    const wrote = new Date(session.lastHumanAt!).toISOString();
    due.push({ hold: h, id: `human|${session.lastHumanAt!}`, why: `a person wrote to the session at ${wrote}, after policy ${h.policy!} held it as abandoned` });
  }
  if (due.length === 0) return;
  due.sort((a, b) => (a.hold.source + a.hold.key < b.hold.source + b.hold.key ? -1 : 1));
  for (const { hold: h, id, why } of due) {
    const policy = input.policies.find((p) => p.name === h.policy);
    const session = live.get(`${h.source}\u0000${h.key}`);
    const stateKey = `${h.policy ?? h.by}|${h.source}|${h.key}|${h.generation}`;
    decisions.push({
      id: `${stateKey}|release|${id}`,
      policy: h.policy ?? h.by,
      kind: 'release',
      scope: policy?.scope ?? 'session',
      subject: `session ${h.key}`,
      stateKey,
      targets: [session ? refOf(session) : { source: h.source, key: h.key, generation: h.generation, agent: h.agent, main: h.kind === 'hold', active: false }],
      step: 0,
      episode: 0,
      actions: [{ action: 'resume' }],
      reason: `${why}; releasing the ${h.kind === 'hold' ? 'hold' : 'pause'} placed for: ${h.reason}`,
      measurements: [],
      mode: policy?.mode ?? input.mode,
    });
  }
}
