import type { ActionName, ActionRequest, ActionResult } from '../../domain/action.js';
import type { DemoFleet } from './simulation.js';
import type { SimSession } from './session.js';

const refused = (detail: string, at: number): ActionResult => ({ status: 'refused', detail, at });
const done = (detail: string, at: number, hold?: boolean): ActionResult => ({ status: 'done', detail, at, ...(hold ? { hold } : {}) });
const noop = (detail: string, at: number): ActionResult => ({ status: 'noop', detail, at });

/**
 * Carries out one action on the simulated gateway with OpenClaw's semantics (DESIGN.md §4):
 * - every action carries the decision's generation and is refused when the session was reset since
 *   (OpenClaw's `expectedSessionId`; the OpenClaw adapter checks it before an abort too);
 * - stop = `sessions.abort` (noop without an active run);
 * - kill = abort + archive; on a main session (cannot be archived) abort + `hold: true`;
 * - pause = archive (which cancels the active run); on a main session abort + `hold: true` — the caller keeps the hold
 *   and aborts runs that start later;
 * - resume = un-archive; on a main session a noop (the caller releases its hold);
 * - cleanup = archive or delete; main sessions are refused (OpenClaw refuses both);
 * - compact = one summarising model call that shrinks the context.
 */
export function performOn(fleet: DemoFleet, request: ActionRequest, at: number): ActionResult {
  const session = fleet.get(request.key);
  if (!session) return refused(`unknown session "${request.key}"`, at);
  if (request.generation !== session.generation) {
    return refused(`session "${request.key}" changed since the decision: expected generation ${request.generation || '(none)'}, current ${session.generation}`, at);
  }
  // A source takes requests from any caller: the action is checked, not trusted.
  const action: string = request.action;
  if (!Object.hasOwn(implementations, action)) return refused(`unknown action "${action}"`, at);
  return implementations[request.action](fleet, session, request, at);
}

/** Each action the demo carries out, keyed by ActionName (its capabilities are ACTION_NAMES): one missing does not compile. */
const implementations: { readonly [A in ActionName]: (fleet: DemoFleet, session: SimSession, request: ActionRequest, at: number) => ActionResult } = {
  stop: (fleet, session, _request, at) => stop(fleet, session, at),
  kill: (fleet, session, _request, at) => kill(fleet, session, at),
  pause: (fleet, session, _request, at) => pause(fleet, session, at),
  resume: (fleet, session, _request, at) => resume(fleet, session, at),
  cleanup: (fleet, session, request, at) => cleanup(fleet, session, request.cleanup ?? 'archive', at),
  compact: (fleet, session, _request, at) => {
    const { before, after } = fleet.compact(session, at);
    return done(`compacted: ${before} → ${after} context tokens`, at);
  },
};

function stop(fleet: DemoFleet, session: SimSession, at: number): ActionResult {
  const runId = fleet.abort(session, at);
  return runId ? done(`aborted run ${runId}`, at) : noop('no active run', at);
}

function kill(fleet: DemoFleet, session: SimSession, at: number): ActionResult {
  if (session.main) {
    const runId = fleet.abort(session, at);
    return done(`held: a main session cannot be archived, so clawwarden aborts any run that starts on it${runId ? `; aborted run ${runId}` : ''}`, at, true);
  }
  if (session.archived && !session.run) return noop('already archived, no active run', at);
  const runId = fleet.abort(session, at);
  if (!session.archived) fleet.setArchived(session, true, at);
  return done(`${runId ? `aborted run ${runId} and archived` : 'archived'}; new work is refused`, at);
}

function pause(fleet: DemoFleet, session: SimSession, at: number): ActionResult {
  if (session.main) {
    const runId = fleet.abort(session, at);
    return done(`held: a main session cannot be archived, so clawwarden aborts any run that starts on it${runId ? `; aborted run ${runId}` : ''}`, at, true);
  }
  if (session.archived) return noop('already archived', at);
  const running = session.run?.id;
  fleet.setArchived(session, true, at);
  return done(running ? `archived (cancelled run ${running})` : 'archived', at);
}

function resume(fleet: DemoFleet, session: SimSession, at: number): ActionResult {
  if (session.main) return noop('a main session is never archived; nothing to restore (release the hold)', at);
  if (!session.archived) return noop('not archived', at);
  fleet.setArchived(session, false, at);
  if (session.nextWorkAt === undefined) fleet.scheduleWork(session, at);
  return done('restored', at);
}

/** `mode` as the request gave it: checked here, not trusted. */
function cleanup(fleet: DemoFleet, session: SimSession, mode: unknown, at: number): ActionResult {
  if (mode === 'delete') {
    if (session.main) return refused("Cannot delete an agent's main session.", at);
    fleet.remove(session);
    return done('deleted (transcript kept as .deleted)', at);
  }
  if (mode !== 'archive') return refused(`unknown cleanup mode ${JSON.stringify(mode)}; expected archive or delete`, at);
  if (session.main) return refused("Cannot archive an agent's main session.", at);
  if (session.archived) return noop('already archived', at);
  fleet.setArchived(session, true, at);
  return done('archived', at);
}
