import type { Session } from '../../domain/session.js';
import type { ActionRequest, ActionResult } from '../../domain/action.js';
import { OpenClawError, errorMessage } from './errors.js';
import { sessionFromRow, type OpenClawRow } from './normalise.js';
import type { Capability } from './capabilities.js';

/** What the actions need from the connection. */
export interface ActionPort {
  request<T>(method: string, params: object): Promise<T>;
  readonly source: string;
  readonly now: () => number;
}

interface AbortReply {
  status?: unknown;
  abortedRunId?: unknown;
}

const done = (detail: string, at: number, hold?: boolean): ActionResult => ({ status: 'done', detail, at, ...(hold && { hold }) });
const noop = (detail: string, at: number, hold?: boolean): ActionResult => ({ status: 'noop', detail, at, ...(hold && { hold }) });
const refused = (detail: string): ActionResult => ({ status: 'refused', detail });

/** The session as the gateway sees it now, or undefined when it does not know the key. */
async function current(port: ActionPort, key: string): Promise<Session | undefined> {
  try {
    const reply = await port.request<{ session?: OpenClawRow | null }>('sessions.describe', { key });
    return reply.session ? sessionFromRow(port.source, reply.session) : undefined;
  } catch (error) {
    // The gateway's answer about a key it cannot describe (unknown, malformed) means there is nothing to act on.
    if (error instanceof OpenClawError && error.fromGateway) return undefined;
    throw error;
  }
}

async function abort(port: ActionPort, key: string, clearQueued: boolean): Promise<'aborted' | 'no-active-run'> {
  const reply = await port.request<AbortReply>('sessions.abort', clearQueued ? { key, clearQueued: true } : { key });
  return reply.status === 'no-active-run' ? 'no-active-run' : 'aborted';
}

async function archive(port: ActionPort, key: string, generation: string, archived: boolean): Promise<void> {
  await port.request('sessions.patch', { key, archived, expectedSessionId: generation });
}

/** The cron job a session runs for (`agent:<id>:cron:<job>` or `agent:<id>:cron:<job>:run:<run>`), else undefined. */
export function cronJobOf(key: string): string | undefined {
  return /^agent:[^:]+:cron:([^:]+)(?::|$)/.exec(key)?.[1];
}

/**
 * A cron job's session is fresh for every run, so archiving it does not keep the job's next runs from starting:
 * pause and kill also disable the job (`cron.update enabled:false`), resume enables it again. The session action
 * already done stands when the gateway refuses; the detail says so.
 */
async function setCronJob(port: ActionPort, key: string, enabled: boolean): Promise<string> {
  const job = cronJobOf(key);
  if (job === undefined) return '';
  try {
    await port.request('cron.update', { id: job, patch: { enabled } });
    return enabled ? `; cron job ${job} enabled again` : `; cron job ${job} disabled (its next runs will not start until resumed)`;
  } catch (error) {
    return `; cron job ${job} could not be ${enabled ? 'enabled' : 'disabled'}: ${errorMessage(error)}`;
  }
}

/** What one action's implementation is given: the port, the request, and the session as the gateway describes it now. */
interface Acting {
  readonly port: ActionPort;
  readonly key: string;
  readonly generation: string;
  readonly session: Session;
  readonly request: ActionRequest;
  readonly now: () => number;
}

/** Each capability's implementation (DESIGN.md §4), keyed by CAPABILITIES: one missing or extra does not compile. */
const implementations: { readonly [A in Capability]: (acting: Acting) => Promise<ActionResult> } = {
  async stop({ port, key, now }) {
    const status = await abort(port, key, false);
    return status === 'aborted' ? done('run aborted', now()) : noop('no-active-run', now());
  },
  async kill({ port, key, generation, session, now }) {
    const status = await abort(port, key, true);
    if (session.main) return done(`${status === 'aborted' ? 'run aborted' : 'no-active-run'}; main sessions cannot be archived: held`, now(), true);
    if (session.archived) return status === 'aborted' ? done(`run aborted; already archived${await setCronJob(port, key, false)}`, now()) : noop('no-active-run; already archived', now());
    await archive(port, key, generation, true);
    return done(`${status === 'aborted' ? 'run aborted' : 'no-active-run'}; archived${await setCronJob(port, key, false)}`, now());
  },
  async pause({ port, key, generation, session, now }) {
    if (session.main) {
      const status = await abort(port, key, true);
      return done(`${status === 'aborted' ? 'run aborted' : 'no-active-run'}; main sessions cannot be archived: held`, now(), true);
    }
    if (session.archived) return noop('already archived', now());
    await archive(port, key, generation, true);
    return done(`archived${await setCronJob(port, key, false)}`, now());
  },
  async resume({ port, key, generation, session, now }) {
    if (session.main) return done('main session: release the hold', now(), true);
    if (!session.archived) return noop('not archived', now());
    await archive(port, key, generation, false);
    return done(`restored${await setCronJob(port, key, true)}`, now());
  },
  async cleanup({ port, key, generation, session, request, now }) {
    if (session.main) return refused(`main session ${key} is never cleaned up`);
    if (request.cleanup === 'delete') {
      await port.request('sessions.delete', { key, expectedSessionId: generation });
      return done('deleted', now());
    }
    if (session.archived) return noop('already archived', now());
    await archive(port, key, generation, true);
    return done('archived', now());
  },
  async compact({ port, key, now }) {
    const reply = await port.request<{ compacted?: unknown; reason?: unknown; result?: { tokensBefore?: unknown; tokensAfter?: unknown } }>('sessions.compact', { key });
    if (reply.compacted !== true) return noop(typeof reply.reason === 'string' ? reply.reason : 'nothing to compact', now());
    const count = (n: unknown): string => (typeof n === 'number' || typeof n === 'string' ? String(n) : '?');
    return done(`compacted ${count(reply.result?.tokensBefore)} → ${count(reply.result?.tokensAfter)} tokens`, now());
  },
};

/** Whether OpenClaw implements `action`. */
function isCapability(action: string): action is Capability {
  return Object.hasOwn(implementations, action);
}

/**
 * Carries out one action with DESIGN.md §4 semantics. The generation is checked first (a reset session is never
 * hit: `refused`), and lifecycle calls carry it as `expectedSessionId` so the gateway re-checks it atomically.
 */
export async function performAction(port: ActionPort, request: ActionRequest): Promise<ActionResult> {
  const { key, generation } = request;
  if (typeof key !== 'string' || key === '') return refused('no session key given');
  if (typeof generation !== 'string' || generation === '') return refused(`no generation given for ${key}: clawwarden acts only on a known session generation`);
  const action: string = request.action;
  if (!isCapability(action)) return refused(`openclaw cannot ${action}`);
  const mode: unknown = request.cleanup; // a source takes requests from any caller: the mode is checked, not trusted
  if (action === 'cleanup' && mode !== undefined && mode !== 'archive' && mode !== 'delete') {
    return refused(`cleanup of ${key}: unknown mode ${JSON.stringify(mode)}; expected archive or delete`);
  }
  try {
    const session = await current(port, key);
    if (!session) return refused(`unknown session ${key}`);
    if (session.generation !== generation) {
      return refused(`session ${key} is now generation ${session.generation}, not ${generation} (it was reset or rolled); re-evaluate it`);
    }
    return await implementations[action]({ port, key, generation, session, request, now: port.now });
  } catch (error) {
    if (error instanceof OpenClawError && error.fromGateway) return refused(`${error.message} (${error.code})`);
    return { status: 'failed', detail: errorMessage(error) };
  }
}
